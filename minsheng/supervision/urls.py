from django.urls import path

from . import views

app_name = "supervision"

urlpatterns = [
    path("", views.index, name="index"),
    path("years/new/", views.year_new, name="year_new"),
    path("years/<int:pk>/", views.year_detail, name="year"),
    path("years/<int:pk>/topics/new/", views.topic_new, name="topic_new"),
    path("topics/<int:pk>/problems/new/", views.problem_new, name="problem_new"),
    path("groups/<int:pk>/join/", views.group_join, name="group_join"),
    path("problems/<int:pk>/", views.problem_detail, name="problem"),
    path("problems/<int:pk>/<slug:action>/", views.problem_action, name="problem_action"),
    path("items/<int:pk>/update/", views.item_update, name="item_update"),
    path("desk/", views.desk, name="desk"),
    path("overview/", views.overview, name="overview"),
    path("years/<int:pk>/report.docx", views.year_report, name="year_report"),
]
