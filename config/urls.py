from django.contrib import admin
from django.urls import include, path

from surveys.auth import rate_limited_admin_login

urlpatterns = [
    path("admin/login/", rate_limited_admin_login, name="admin_login_rate_limited"),
    path("admin/", admin.site.urls),
    path("accounts/", include("allauth.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("reports/", include("reports.urls")),
    path("studies/", include("studies.urls")),
    path("", include("surveys.urls")),
]
