from django.urls import path

from sessions.views import pack, personal, rooms, run, scheduling, session

app_name = "sessions"
urlpatterns = [
    path("groups/<int:group_id>/sessions/", scheduling.group_sessions, name="group_sessions"),
    path("groups/<int:group_id>/sessions/new/", scheduling.session_new, name="session_new"),
    path("groups/<int:group_id>/polls/new/", scheduling.poll_new, name="poll_new"),
    path("polls/<int:poll_id>/", scheduling.poll_detail, name="poll"),
    path("polls/<int:poll_id>/schedule/", scheduling.poll_schedule, name="poll_schedule"),
    path("polls/<int:poll_id>/close/", scheduling.poll_close, name="poll_close"),
    path("sessions/<int:session_id>/", session.session_detail, name="detail"),
    path("sessions/<int:session_id>/book/", session.book, name="book"),
    path("sessions/<int:session_id>/leave/", session.leave, name="leave"),
    path("sessions/<int:session_id>/edit/", session.session_edit, name="edit"),
    path("sessions/<int:session_id>/cancel/", session.session_cancel, name="cancel"),
    path("sessions/<int:session_id>/session.ics", session.session_ics_download, name="ics"),
    path("sessions/<int:session_id>/run/", run.run, name="run"),
    path("sessions/<int:session_id>/pack/", pack.session_pack, name="pack"),
    path("sessions/<int:session_id>/register/<int:booking_id>/", run.mark, name="mark"),
    path("sessions/<int:session_id>/walk-in/", run.walk_in, name="walk_in"),
    path("sessions/<int:session_id>/close/", run.close, name="close"),
    path("my/sessions/", personal.my_sessions, name="mine"),
    path("my/calendar/", personal.preferences, name="preferences"),
    path("calendar/<str:token>.ics", personal.feed, name="feed"),
    path("orgs/<int:org_id>/rooms/", rooms.rooms, name="rooms"),
    path("orgs/<int:org_id>/rooms/<int:room_id>/", rooms.room_edit, name="room_edit"),
    path("orgs/<int:org_id>/workshops/", rooms.workshops, name="workshops"),
    path("orgs/<int:org_id>/workshops/new/", rooms.workshop_new, name="workshop_new"),
]
