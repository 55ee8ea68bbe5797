from django.urls import path

from . import views

app_name = "core"

urlpatterns = [
    path("members/", views.member_list, name="member_list"),
    path("members/<int:pk>/", views.member_detail, name="member_detail"),
    path("units/", views.unit_list, name="unit_list"),
    path("units/<int:pk>/", views.unit_detail, name="unit_detail"),
    path("sectors/", views.sector_list, name="sector_list"),
    path("districts/", views.district_list, name="district_list"),
    path("notifications/", views.notifications, name="notifications"),
    path("notifications/read/", views.notifications_read, name="notifications_read"),
    path("notifications/settings/", views.notification_settings, name="notification_settings"),
    path("notifications/<int:pk>/", views.notification_detail, name="notification_detail"),
    path("notifications/<int:pk>/read/", views.notification_read, name="notification_read"),
    path("jobs/", views.job_list, name="job_list"),
    path("jobs/<uuid:pk>/", views.job_detail, name="job_detail"),
    path("search/", views.search_page, name="search"),
    path("attachments/<int:pk>/", views.attachment_download, name="attachment_download"),
]
