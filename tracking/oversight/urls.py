from django.urls import path

from tracking.oversight import views

urlpatterns = [
    path("completion/", views.completion_page, name="completion"),
    path("completion/remind/", views.completion_remind, name="completion_remind"),
    path("master/", views.master_chooser, name="master_chooser"),
    path("master/<int:subject_id>/", views.master_detail, name="master_detail"),
    path("master/<int:subject_id>/export.<str:fmt>", views.master_export, name="master_export"),
    path("pupils/<int:pk>/history/", views.pupil_grade_history, name="pupil_grade_history"),
    path(
        "marksheets/<int:group_id>/<int:point_id>/history/",
        views.sheet_history,
        name="sheet_history",
    ),
]
