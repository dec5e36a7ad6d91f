from django.urls import path

from . import views

app_name = "notifications"

urlpatterns = [
    path("subscribe/", views.subscribe, name="subscribe"),
    path("subscribe/sent/", views.subscribe_sent, name="subscribe-sent"),
    path("subscribe/confirm/<str:token>/", views.subscribe_confirm, name="subscribe-confirm"),
    path("subscriber/<str:token>/", views.subscriber_manage, name="subscriber-manage"),
    path("subscriber/<str:token>/unsubscribe/", views.subscriber_unsubscribe, name="subscriber-unsubscribe"),
    path("subscriber/<str:token>/new-link/", views.subscriber_link_new, name="subscriber-link-new"),
    path("portal/subscribers/", views.subscriber_queue, name="subscriber-queue"),
    path("portal/subscribers/<uuid:public_id>/", views.subscriber_review, name="subscriber-review"),
    path("portal/subscribers/<uuid:public_id>/verify/", views.subscriber_verify, name="subscriber-verify"),
    path("portal/subscribers/<uuid:public_id>/reject/", views.subscriber_reject, name="subscriber-reject"),
    path("portal/deliveries/<uuid:message_id>/", views.delivery_dashboard, name="delivery-dashboard"),
    path("portal/deliveries/<uuid:message_id>/progress.json", views.delivery_progress, name="delivery-progress"),
    path("portal/deliveries/<uuid:message_id>/retry/", views.delivery_retry, name="delivery-retry"),
]
