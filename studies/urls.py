from django.urls import path

from studies import invitation_views

app_name = "studies"
urlpatterns: list = [
    path("waves/<int:wave_id>/invitations/", invitation_views.overview, name="invitations"),
    path("waves/<int:wave_id>/invitations/upload/", invitation_views.upload, name="invitation_upload"),
    path("waves/<int:wave_id>/invitations/platform-accounts/", invitation_views.add_platform_accounts,
         name="invitation_platform_accounts"),
    path("waves/<int:wave_id>/invitations/send/", invitation_views.send, name="invitation_send"),
    path("waves/<int:wave_id>/invitations/progress/", invitation_views.progress, name="invitation_progress"),
    path("waves/<int:wave_id>/invitations/texts/<str:kind>/<str:language>/", invitation_views.edit_text,
         name="invitation_text"),
    path("opt-out/<str:token>/", invitation_views.opt_out, name="opt_out"),
]
