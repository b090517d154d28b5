from django.urls import path

from surveys import views

app_name = "surveys"

urlpatterns = [
    path("", views.home, name="home"),
    path("i/<str:token>/", views.invitation, name="invitation"),
    path("s/<slug:slug>/", views.information, name="information"),
    path("s/<slug:slug>/p/<slug:page_code>/", views.page, name="page"),
    path("s/<slug:slug>/thanks/", views.thanks, name="thanks"),
    path("s/<slug:slug>/withdraw/", views.withdraw, name="withdraw"),
]
