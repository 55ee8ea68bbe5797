from django.urls import path

from . import views

app_name = "proposals"

urlpatterns = [
    path("", views.proposal_list, name="list"),
    path("new/", views.proposal_new, name="new"),
    path("<int:pk>/", views.proposal_detail, name="proposal_detail"),
    path("<int:pk>/edit/", views.proposal_edit, name="edit"),
    path("<int:pk>/action/<slug:action>/", views.proposal_action, name="action"),
    path("handlings/<int:pk>/action/<slug:action>/", views.handling_action, name="handling_action"),
    path("handlings/<int:pk>/letter.docx", views.reply_letter, name="reply_letter"),
    path("requests/<int:pk>/decide/", views.request_decide, name="request_decide"),
    path("desk/", views.unit_desk, name="unit_desk"),
    path("overdue/", views.overdue, name="overdue"),
    path("statistics/", views.statistics, name="statistics"),
    path("statistics.xlsx", views.statistics_export, name="statistics_export"),
    path("report.docx", views.annual_report, name="annual_report"),
    path("export.xlsx", views.export, name="export"),
    path("similar/", views.similar, name="similar"),
    path("key-nominations/", views.nominations, name="nominations"),
    path("key-nominations/<int:pk>/<slug:action>/", views.nomination_action, name="nomination_action"),
    path("face-to-face/", views.episode_list, name="episode_list"),
    path("face-to-face/new/", views.episode_new, name="episode_new"),
    path("face-to-face/<int:pk>/", views.episode_detail, name="episode_detail"),
    path("face-to-face/<int:pk>/<slug:action>/", views.episode_action, name="episode_action"),
    path("public/", views.public_list, name="public_list"),
    path("public/<int:pk>/", views.public_detail, name="public_detail"),
]
