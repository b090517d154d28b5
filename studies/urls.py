"""The workspace's addresses. tests/studies/test_access.py holds the role each one needs: add a row there."""

from django.urls import path

from coding import views as coding_views
from studies import invitation_views, views

app_name = "studies"
wave = "<slug:slug>/waves/<slug:wave_slug>/"
urlpatterns = [
    # the public opt-out page every invitation mail links to; before the study slugs so "opt-out" is no study
    path("opt-out/<str:token>/", invitation_views.opt_out, name="opt_out"),
    path("", views.index, name="index"),
    path("new/", views.create, name="create"),
    path("<slug:slug>/", views.study, name="study"),
    path("<slug:slug>/copy/", views.study_copy, name="study_copy"),
    path("<slug:slug>/members/", views.members, name="members"),
    path("<slug:slug>/audit/", views.audit_log, name="audit"),
    path("<slug:slug>/audit.csv", views.audit_log_csv, name="audit_csv"),
    path("<slug:slug>/instrument/upload/", views.upload, name="upload"),
    path("<slug:slug>/instrument/v<int:number>/preview/", views.preview, name="preview"),
    path("<slug:slug>/instrument/diff/", views.diff, name="diff"),
    path("<slug:slug>/instrument/edit/", views.edit, name="edit"),
    path("<slug:slug>/instrument/v<int:number>/download/<slug:kind>/", views.questionnaire_download,
         name="questionnaire_download"),
    path("<slug:slug>/waves/new/", views.wave_new, name="wave_new"),
    path(wave, views.dashboard, name="dashboard"),
    path(wave + "extend/", views.wave_extend, name="wave_extend"),
    path(wave + "open/", views.wave_open, name="wave_open"),
    path(wave + "close/", views.wave_close, name="wave_close"),
    path(wave + "copy/", views.wave_copy, name="wave_copy"),
    path(wave + "test/", views.wave_test, name="wave_test"),
    path(wave + "test/delete/", views.test_responses_delete, name="test_responses_delete"),
    path(wave + "results/", views.results_view, name="results"),
    path(wave + "results/crosstab/", views.crosstab, name="crosstab"),
    path(wave + "responses/", views.responses, name="responses"),
    path(wave + "responses/<int:pk>/", views.response_detail, name="response"),
    path(wave + "responses/<int:pk>/withdraw/", views.response_withdraw, name="response_withdraw"),
    path(wave + "exports/", views.exports, name="exports"),
    path(wave + "reports/", views.reports, name="reports"),
    # e-mail invitations (docs/invitations.md)
    path(wave + "invitations/", invitation_views.overview, name="invitations"),
    path(wave + "invitations/upload/", invitation_views.upload, name="invitation_upload"),
    path(wave + "invitations/platform-accounts/", invitation_views.add_platform_accounts,
         name="invitation_platform_accounts"),
    path(wave + "invitations/add/", invitation_views.add_one, name="invitation_add"),
    path(wave + "invitations/participants/<int:pk>/resend/", invitation_views.resend, name="invitation_resend"),
    path(wave + "invitations/participants/<int:pk>/opt-out/", invitation_views.opt_out_on_request,
         name="invitation_opt_out"),
    path(wave + "invitations/send/", invitation_views.send, name="invitation_send"),
    path(wave + "invitations/progress/", invitation_views.progress, name="invitation_progress"),
    path(wave + "invitations/texts/<str:kind>/<str:language>/", invitation_views.edit_text, name="invitation_text"),
    # coding open answers (docs/coding.md)
    path(wave + "coding/", coding_views.overview, name="coding"),
    path(wave + "coding/codebooks/<int:pk>/sample/", coding_views.sample_new, name="coding_sample_new"),
    path(wave + "coding/codebooks/<int:pk>/model/", coding_views.model_run, name="coding_model_run"),
    path(wave + "coding/samples/<int:pk>/", coding_views.code_sample, name="coding_code"),
    path(wave + "coding/samples/<int:pk>/disagreements/", coding_views.sample_disagreements, name="coding_disagreements"),
    path(wave + "coding/samples/<int:pk>/adjudicate/", coding_views.sample_adjudicate, name="coding_adjudicate"),
    path("<slug:slug>/exports/<int:pk>/download/", views.export_download, name="export_download"),
    path("<slug:slug>/reports/<int:pk>/download/", views.report_download, name="report_download"),
]
