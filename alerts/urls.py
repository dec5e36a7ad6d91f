from django.urls import path

from . import views

app_name = "alerts"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("new/", views.alert_create, name="alert-create"),
    path("queue/", views.review_queue, name="queue"),
    path("<uuid:public_id>/", views.alert_detail, name="alert-detail"),
    path("<uuid:public_id>/edit/", views.alert_edit, name="alert-edit"),
    path("<uuid:public_id>/photos/", views.photo_add, name="photo-add"),
    path("<uuid:public_id>/photos/<uuid:photo_id>/", views.photo_file, name="photo-file"),
    path("<uuid:public_id>/photos/<uuid:photo_id>/remove/", views.photo_remove, name="photo-remove"),
    path("<uuid:public_id>/submit/", views.alert_submit, name="alert-submit"),
    path("<uuid:public_id>/update/", views.alert_update_start, name="alert-update-start"),
    path("<uuid:public_id>/extend/", views.alert_extend, name="alert-extend"),
    path("<uuid:public_id>/resolve/request/", views.alert_resolve_request, name="alert-resolve-request"),
    path("<uuid:public_id>/review/", views.alert_review, name="alert-review"),
    path("<uuid:public_id>/approve/", views.alert_approve, name="alert-approve"),
    path("<uuid:public_id>/return/", views.alert_return, name="alert-return"),
    path("<uuid:public_id>/deny/", views.alert_deny, name="alert-deny"),
    path("<uuid:public_id>/resolve/", views.alert_resolve, name="alert-resolve"),
    path("<uuid:public_id>/history/", views.alert_history, name="alert-history"),
]
