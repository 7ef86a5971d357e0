app_name = "axes"

urlpatterns: list = []
