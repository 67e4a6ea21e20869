from django.urls import path

from . import views

urlpatterns = [
    path("sessions/", views.session_week, name="session_week"),
    path("sessions/requests/", views.session_requests, name="session_requests"),
    path("sessions/requests/new/", views.request_new, name="session_request_new"),
    path("sessions/allocation/", views.allocation, name="allocation"),
    path("sessions/<int:pk>/register/", views.register, name="register"),
    path("sessions/follow-up/", views.follow_ups, name="follow_ups"),
    path("sessions/sign-up-sheet/", views.signup_sheet, name="signup_sheet"),
    path("forms/<int:form_pk>/timetable/", views.timetable_pdf, name="timetable_pdf"),
]
