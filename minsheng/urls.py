from django.conf import settings
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.views.i18n import JavaScriptCatalog

from minsheng.api import api
from minsheng.core import views as core_views

admin.site.site_header = "民生 · Minsheng"
admin.site.site_title = "民生 Minsheng"

urlpatterns = [
    path("", core_views.home, name="home"),
    path("healthz", core_views.healthz, name="healthz"),
    path("favicon.ico", core_views.favicon),
    path("login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("jsi18n/", JavaScriptCatalog.as_view(), name="javascript-catalog"),
    path("api/", api.urls),
    path("admin/", admin.site.urls),
    path("hotline/", include("minsheng.hotline.urls")),
    path("proposals/", include("minsheng.proposals.urls")),
    path("supervision/", include("minsheng.supervision.urls")),
    path("", include("minsheng.core.urls")),
]

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
