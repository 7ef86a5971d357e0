app_name = "bilans"

urlpatterns: list = []
