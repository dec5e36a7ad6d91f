from django.urls import path

from . import views

app_name = "agencies"

urlpatterns = [
    # Public (login_not_required): registration and accepting an invitation.
    path("register/", views.register, name="register"),
    path("register/thanks/", views.register_done, name="register-done"),
    path("invitations/<str:token>/", views.invitation_accept, name="invitation-accept"),
    # State coordinators and national administrators.
    path("registrations/", views.registration_list, name="registrations"),
    path("registrations/<uuid:public_id>/", views.registration_detail, name="registration-detail"),
    path("registrations/<uuid:public_id>/verify/", views.registration_verify, name="registration-verify"),
    path("registrations/<uuid:public_id>/reject/", views.registration_reject, name="registration-reject"),
    # Agency administrators.
    path("<uuid:public_id>/members/", views.members, name="members"),
    path("<uuid:public_id>/members/role/", views.member_role, name="member-role"),
    path("<uuid:public_id>/members/deactivate/", views.member_deactivate, name="member-deactivate"),
    path(
        "<uuid:public_id>/invitations/<uuid:invitation_id>/revoke/",
        views.invitation_revoke,
        name="invitation-revoke",
    ),
]
