from django.urls import path

from reports import views

app_name = "reports"
urlpatterns = [
    path("", views.report_list, name="list"),
    path("request/", views.request_report, name="request"),
    path("<int:pk>/download/", views.download, name="download"),
]
