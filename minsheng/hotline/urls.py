from django.urls import path

from . import views

app_name = "hotline"

urlpatterns = [
    path("tickets/", views.ticket_list, name="ticket_list"),
    path("tickets/<int:pk>/", views.ticket_detail, name="ticket_detail"),
    path("import/", views.import_page, name="import"),
    path("import/<uuid:pk>/", views.import_job, name="import_job"),
    path("import/<uuid:pk>/report.csv", views.import_report, name="import_report"),
    path("import/<uuid:pk>/remap/", views.import_remap, name="import_remap"),
    path("rates/", views.rates_page, name="rates"),
    path("rates/export.xlsx", views.rates_export, name="rates_export"),
    path("ranking/", views.ranking_page, name="ranking"),
    path("candidates/", views.candidates_page, name="candidates"),
    path("candidates/plan/", views.candidate_plan, name="candidate_plan"),
]
