"""The public site (no login): pages, CAP messages, JSON, photos and feeds.
Paths mirror the files the publisher writes (alerts.publishing), so nginx can serve them first."""

from django.urls import path

from . import views

app_name = "public"

urlpatterns = [
    path("", views.home, name="home"),
    path("states/<str:usps>/", views.state_home, name="state-home"),
    path("alerts/archive/", views.archive, name="archive"),
    path("alerts/<uuid:public_id>/", views.alert_page, name="alert-page"),
    path("alerts/<uuid:public_id>/cap.xml", views.alert_cap, name="alert-cap"),
    path("alerts/<uuid:public_id>/alert.json", views.alert_json, name="alert-json"),
    path("alerts/<uuid:public_id>/photos/<uuid:photo_id>.jpg", views.alert_photo, name="alert-photo"),
    path("cap/<uuid:message_id>.xml", views.cap_message, name="cap-message"),
    path("feeds/alerts.atom", views.feed_alerts, name="feed-alerts"),
    path("feeds/states/<str:usps>.atom", views.feed_state, name="feed-state"),
]
