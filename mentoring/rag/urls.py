from django.urls import path

from .views import actions, printing, sheets

urlpatterns = [
    path("rag/", sheets.rag_home, name="rag_home"),
    path("rag/colours.css", sheets.rag_theme_css, name="rag_theme_css"),
    path("rag/<int:window_id>/groups/<int:group_id>/", sheets.rag_sheet, name="rag_sheet"),
    path("rag/<int:window_id>/review/", sheets.rag_review, name="rag_review"),
    path("rag/<int:window_id>/breakfast/", sheets.rag_breakfast, name="rag_breakfast"),
    path("rag/<int:window_id>/sheets/", printing.rag_sheets, name="rag_sheets"),
    path("rag/sheets/<int:job_id>/", printing.rag_sheet_job, name="rag_sheet_job"),
    path("rag/sheets/<int:job_id>/pdf/", printing.rag_sheet_pdf, name="rag_sheet_pdf"),
    path("rag/comments/<int:entry_id>/action/", actions.rag_action_new, name="rag_action_new"),
    path("rag/actions/", actions.rag_actions, name="rag_actions"),
    path("rag/actions/<int:action_id>/", actions.rag_action, name="rag_action"),
]
