from django.urls import path

from . import action_views, print_views, views

urlpatterns = [
    path("rag/", views.rag_home, name="rag_home"),
    path("rag/colours.css", views.rag_theme_css, name="rag_theme_css"),
    path("rag/<int:window_id>/groups/<int:group_id>/", views.rag_sheet, name="rag_sheet"),
    path("rag/<int:window_id>/review/", views.rag_review, name="rag_review"),
    path("rag/<int:window_id>/breakfast/", views.rag_breakfast, name="rag_breakfast"),
    path("rag/<int:window_id>/sheets/", print_views.rag_sheets, name="rag_sheets"),
    path("rag/sheets/<int:job_id>/", print_views.rag_sheet_job, name="rag_sheet_job"),
    path("rag/sheets/<int:job_id>/pdf/", print_views.rag_sheet_pdf, name="rag_sheet_pdf"),
    path("rag/comments/<int:entry_id>/action/", action_views.rag_action_new, name="rag_action_new"),
    path("rag/actions/", action_views.rag_actions, name="rag_actions"),
    path("rag/actions/<int:action_id>/", action_views.rag_action, name="rag_action"),
]
