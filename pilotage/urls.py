app_name = "pilotage"

urlpatterns: list = []
