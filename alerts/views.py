"""Portal pages of the alert workflow. Thin: read through selectors, write through services."""

import json
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from accounts.ip import client_ip
from accounts.reauth import ReauthRequired, reauth_is_fresh, reauthenticated_at
from agencies.permissions import can_coordinate_state, is_national_admin
from core.exceptions import InvalidTransition

from . import gsm7, permissions, selectors, services, workflow
from .diff import snapshot_diff
from .forms import (
    AlertCreateForm,
    AlertForm,
    ApproveForm,
    CriteriaForm,
    ExtendForm,
    OutcomeForm,
    PhotoForm,
    ReasonForm,
    SuspectFormSet,
    UpdateSubmitForm,
    VehicleFormSet,
    formset_rows,
)
from .models import Alert, Photo
from .snapshot import alert_snapshot
from .texts import TEXT_FIELDS

REASON_SESSION_KEY = "alerts_pending_reason"


def _detail(alert: Alert) -> HttpResponseRedirect:
    return redirect("alerts:alert-detail", alert.public_id)


def _refused(request, alert: Alert, exc: Exception, to: str = "alerts:alert-detail") -> HttpResponseRedirect:
    messages.error(request, str(exc.args[0]) if exc.args else "That is not allowed.")
    return redirect(to, alert.public_id)


def _errors_text(exc: ValidationError) -> list[str]:
    if hasattr(exc, "error_dict"):
        return [m for msgs in exc.message_dict.values() for m in msgs]
    return list(exc.messages)


def _reauth_redirect(request, alert: Alert) -> HttpResponseRedirect:
    """Keep what the coordinator typed, send them to confirm their password, bring them back."""
    if request.POST.get("reason") or request.POST.get("note"):
        request.session[REASON_SESSION_KEY] = {
            "alert": str(alert.public_id),
            "reason": request.POST.get("reason", ""),
            "note": request.POST.get("note", ""),
            "outcome": request.POST.get("outcome", ""),
        }
    messages.warning(
        request,
        "Confirm your password first (asked at most every 15 minutes), then decide again. "
        "What you typed has been kept.",
    )
    back = reverse("alerts:alert-review", args=[alert.public_id])
    return redirect(reverse("accounts:reauth") + "?" + urlencode({"next": back}))


def _kept_input(request, alert: Alert) -> dict:
    kept = request.session.get(REASON_SESSION_KEY) or {}
    return kept if kept.get("alert") == str(alert.public_id) else {}


# ---------------------------------------------------------------------------------------------
# Agency pages


def dashboard(request):
    """The agency dashboard: each of the user's agencies with its alerts by status."""
    agencies = selectors.agencies_for_dashboard(request.user)
    sections = [(agency, selectors.alerts_for_agency_dashboard(request.user, agency)) for agency in agencies]
    return render(request, "alerts/alert_dashboard.html", {"sections": sections})


@require_http_methods(["GET", "POST"])
def alert_create(request):
    agencies = list(selectors.agencies_for_dashboard(request.user))
    if not agencies:
        raise Http404("You are not a member of a verified agency.")
    form = AlertCreateForm(request.POST or None, agencies=selectors.agencies_for_dashboard(request.user))
    if request.method == "POST" and form.is_valid():
        try:
            alert = services.alert_create(
                actor=request.user,
                agency=form.cleaned_data["agency"],
                trigger=form.cleaned_data["trigger"],
                is_exercise=form.cleaned_data["is_exercise"],
                ip=client_ip(request),
            )
        except PermissionDenied as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, "Draft started. It is saved each time you press Save.")
            return redirect("alerts:alert-edit", alert.public_id)
    return render(request, "alerts/alert_create.html", {"form": form})


@require_http_methods(["GET", "POST"])
def alert_edit(request, public_id):
    """The drafting form: fields, suspects and vehicles, criteria, channel texts with a preview."""
    alert = selectors.alert_get_for_user(request.user, public_id)
    if not permissions.can_edit_alert(request.user, alert):
        messages.error(request, "This alert cannot be edited now.")
        return _detail(alert)
    data = request.POST if request.method == "POST" else None
    form = AlertForm(data, instance=alert)
    suspects = SuspectFormSet(data, instance=alert, prefix="suspects")
    vehicles = VehicleFormSet(data, instance=alert, prefix="vehicles")
    if request.method == "GET" and not alert.suspects.exists():
        suspects = SuspectFormSet(instance=alert, prefix="suspects")
        suspects.extra = 1
        suspects.forms  # noqa: B018 (build the forms with the extra row)
    # Criteria are attested before the first submission; an update keeps them as approved.
    criteria = CriteriaForm(data, alert=alert) if workflow.allowed("edit", alert) else None
    if request.method == "POST":
        valid = all(
            [form.is_valid(), suspects.is_valid(), vehicles.is_valid(), criteria is None or criteria.is_valid()]
        )
        if valid:
            try:
                services.alert_save_draft(
                    actor=request.user,
                    alert=alert,
                    fields=form.service_fields(),
                    suspects=formset_rows(suspects),
                    vehicles=formset_rows(vehicles),
                    counties=form.cleaned_data["counties"],
                    extra_states=form.cleaned_data["extra_states"],
                    criteria=criteria.keys() if criteria is not None else None,
                    regenerate_texts="regenerate" in request.POST,
                    ip=client_ip(request),
                )
            except InvalidTransition as exc:
                return _refused(request, alert, exc)
            except ValidationError as exc:
                for message in _errors_text(exc):
                    form.add_error(None, message)
            else:
                if "regenerate" in request.POST:
                    messages.success(request, "Saved. The channel texts were generated again from the fields.")
                    return redirect("alerts:alert-edit", alert.public_id)
                messages.success(request, "Draft saved.")
                if "submit" in request.POST:
                    return redirect("alerts:alert-submit", alert.public_id)
                return redirect("alerts:alert-edit", alert.public_id)
        messages.error(request, "Some fields need attention: see the messages next to them.")
    return render(
        request,
        "alerts/alert_edit.html",
        {
            "alert": alert,
            "form": form,
            "suspects": suspects,
            "vehicles": vehicles,
            "criteria": criteria,
            "photo_form": PhotoForm(alert=alert),
            "photos": alert.photos.filter(removed=False),
            "text_fields": [form[f] for f in TEXT_FIELDS],
            # The live counters take the alphabet from the module the server checks with.
            "gsm7_tables": json.dumps(gsm7.tables()),
        },
    )


@require_POST
def photo_add(request, public_id):
    alert = selectors.alert_get_for_user(request.user, public_id)
    form = PhotoForm(request.POST, request.FILES, alert=alert)
    if form.is_valid():
        suspect, vehicle = form.suspect_and_vehicle()
        try:
            services.alert_photo_add(
                actor=request.user,
                alert=alert,
                upload=form.cleaned_data["image"],
                caption=form.cleaned_data["caption"],
                suspect=suspect,
                vehicle=vehicle,
                ip=client_ip(request),
            )
        except (InvalidTransition, PermissionDenied) as exc:
            return _refused(request, alert, exc)
        except ValidationError as exc:
            messages.error(request, "The photo was not added: " + " ".join(_errors_text(exc)))
        else:
            messages.success(request, "Photo added. Its metadata (including any location) was removed.")
    else:
        messages.error(
            request, "The photo was not added: " + " ".join(e for errs in form.errors.values() for e in errs)
        )
    return redirect(reverse("alerts:alert-edit", args=[alert.public_id]) + "#photos")


@require_POST
def photo_remove(request, public_id, photo_id):
    alert = selectors.alert_get_for_user(request.user, public_id)
    photo = alert.photos.filter(public_id=photo_id).first()
    if photo is None:
        raise Http404("No such photo")
    try:
        services.alert_photo_remove(actor=request.user, alert=alert, photo=photo, ip=client_ip(request))
    except (InvalidTransition, PermissionDenied) as exc:
        return _refused(request, alert, exc)
    messages.success(request, "Photo removed from the alert.")
    return redirect(reverse("alerts:alert-edit", args=[alert.public_id]) + "#photos")


@require_http_methods(["GET", "POST"])
def alert_submit(request, public_id):
    """Confirm the submission (or an update's): what is missing, possible duplicates, then submit."""
    alert = selectors.alert_get_for_user(request.user, public_id)
    if not permissions.can_submit_alert(request.user, alert):
        messages.error(request, "This alert cannot be submitted now.")
        return _detail(alert)
    is_update = workflow.in_update_phase(alert)
    form = UpdateSubmitForm(request.POST or None, initial={"note": alert.update_note}) if is_update else None
    if request.method == "POST" and (form is None or form.is_valid()):
        try:
            if is_update:
                services.alert_update_submit(
                    actor=request.user, alert=alert, note=form.cleaned_data["note"], ip=client_ip(request)
                )
            else:
                services.alert_submit(actor=request.user, alert=alert, ip=client_ip(request))
        except (InvalidTransition, PermissionDenied) as exc:
            return _refused(request, alert, exc)
        except ValidationError as exc:
            messages.error(request, "Not submitted: " + " ".join(_errors_text(exc)))
        else:
            messages.success(request, "Submitted. The state's coordinators have been notified by email.")
            return _detail(alert)
    return render(
        request,
        "alerts/alert_submit.html",
        {
            "alert": alert,
            "form": form,
            "is_update": is_update,
            "problems": services.alert_submission_problems(alert),
            "duplicates": selectors.alerts_possible_duplicates(alert),
            "criteria": selectors.criteria_for_alert(alert),
        },
    )


@require_POST
def alert_update_start(request, public_id):
    alert = selectors.alert_get_for_user(request.user, public_id)
    try:
        services.alert_update_start(actor=request.user, alert=alert, ip=client_ip(request))
    except (InvalidTransition, PermissionDenied) as exc:
        return _refused(request, alert, exc)
    messages.success(
        request, "Update started. The public alert stays as approved until a coordinator approves the update."
    )
    return redirect("alerts:alert-edit", alert.public_id)


@require_http_methods(["GET", "POST"])
def alert_extend(request, public_id):
    alert = selectors.alert_get_for_user(request.user, public_id)
    form = ExtendForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.alert_extend_request(
                actor=request.user,
                alert=alert,
                hours=form.cleaned_data["hours"],
                note=form.cleaned_data["note"],
                ip=client_ip(request),
            )
        except (InvalidTransition, PermissionDenied) as exc:
            return _refused(request, alert, exc)
        except ValidationError as exc:
            form.add_error(None, " ".join(_errors_text(exc)))
        else:
            messages.success(request, "Extension requested. A coordinator must approve it.")
            return _detail(alert)
    return render(request, "alerts/alert_extend.html", {"alert": alert, "form": form})


@require_http_methods(["GET", "POST"])
def alert_resolve_request(request, public_id):
    alert = selectors.alert_get_for_user(request.user, public_id)
    form = OutcomeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.alert_request_resolve(
                actor=request.user,
                alert=alert,
                outcome=form.cleaned_data["outcome"],
                note=form.cleaned_data["note"],
                ip=client_ip(request),
            )
        except (InvalidTransition, PermissionDenied) as exc:
            return _refused(request, alert, exc)
        messages.success(
            request, "Request sent. A coordinator ends the alert and the cancellation goes to everyone who received it."
        )
        return _detail(alert)
    return render(request, "alerts/alert_resolve.html", {"alert": alert, "form": form, "request_only": True})


# ---------------------------------------------------------------------------------------------
# Shared pages


def alert_detail(request, public_id):
    alert = selectors.alert_get_for_user(request.user, public_id)
    user = request.user
    return render(
        request,
        "alerts/alert_detail.html",
        {
            "alert": alert,
            "snapshot": alert_snapshot(alert),
            "messages_list": selectors.alert_messages(alert),
            "criteria": selectors.criteria_for_alert(alert),
            "can_edit": permissions.can_edit_alert(user, alert),
            "can_submit": permissions.can_submit_alert(user, alert),
            "can_start_update": permissions.can_start_update(user, alert),
            "can_request_resolve": permissions.can_request_resolve(user, alert),
            "can_review": permissions.can_review_alert(user, alert),
            # Delivery progress is the coordinators' (and national administrators') to watch.
            "can_view_deliveries": can_coordinate_state(user, alert.state) or is_national_admin(user),
            "photos": alert.photos.filter(removed=False),
        },
    )


def alert_history(request, public_id):
    alert = selectors.alert_get_for_user(request.user, public_id)
    return render(
        request,
        "alerts/alert_history.html",
        {
            "alert": alert,
            "messages_list": selectors.alert_messages(alert),
            "events": selectors.alert_history(alert),
        },
    )


# ---------------------------------------------------------------------------------------------
# Coordinator pages


def review_queue(request):
    user = request.user
    return render(
        request,
        "alerts/alert_queue.html",
        {
            "queue": selectors.alerts_review_queue(user),
            "active": selectors.alerts_active_in_states(user),
            "read_only": is_national_admin(user),
        },
    )


def alert_review(request, public_id):
    """Everything a coordinator decides on: criteria, every field, duplicates, an update's diff."""
    alert = selectors.alert_get_for_user(request.user, public_id)
    latest = selectors.alert_latest_message(alert)
    working = alert_snapshot(alert)
    kept = _kept_input(request, alert)
    return render(
        request,
        "alerts/alert_review.html",
        {
            "alert": alert,
            "snapshot": working,
            "latest": latest,
            "diff": snapshot_diff(latest.snapshot, working) if latest else [],
            "criteria": selectors.criteria_for_alert(alert),
            "duplicates": selectors.alerts_possible_duplicates(alert),
            "problems": services.alert_submission_problems(alert),
            "can_review": permissions.can_review_alert(request.user, alert),
            "reauth_fresh": reauth_is_fresh(reauthenticated_at(request)),
            "approve_form": ApproveForm(
                initial={"officer_release": alert.officer_release, "note": kept.get("note", "")}
            ),
            "reason_form": ReasonForm(initial={"reason": kept.get("reason", "")}),
            "outcome_form": OutcomeForm(
                initial={
                    "outcome": kept.get("outcome") or alert.resolve_requested_outcome,
                    "note": alert.resolve_requested_note,
                }
            ),
            "photos": alert.photos.filter(removed=False),
        },
    )


def _stage(request, alert: Alert) -> str:
    """What the coordinator was looking at when deciding: the submission or an update. Posted by
    the review page so a decision taken on a stale page is refused, not applied to something else."""
    stage = request.POST.get("stage")
    if stage in ("alert", "update"):
        return stage
    return "update" if workflow.in_update_phase(alert) else "alert"


def _decide(request, public_id, decide):
    alert = selectors.alert_get_for_user(request.user, public_id)
    try:
        message = decide(alert)
    except ReauthRequired:
        return _reauth_redirect(request, alert)
    except (InvalidTransition, PermissionDenied) as exc:
        return _refused(request, alert, exc, "alerts:alert-review")
    except ValidationError as exc:
        messages.error(request, " ".join(_errors_text(exc)))
        return redirect("alerts:alert-review", alert.public_id)
    request.session.pop(REASON_SESSION_KEY, None)
    messages.success(request, message)
    return _detail(alert)


@require_POST
def alert_approve(request, public_id):
    form = ApproveForm(request.POST)
    release = request.POST.get("officer_release") if form.is_valid() else None
    note = request.POST.get("note", "")

    def decide(alert):
        at = reauthenticated_at(request)
        if _stage(request, alert) == "update":
            services.alert_update_approve(
                actor=request.user, alert=alert, reauthenticated_at=at, officer_release=release, ip=client_ip(request)
            )
            return "Update approved: a new message goes out to everyone who received the alert."
        services.alert_approve(
            actor=request.user,
            alert=alert,
            reauthenticated_at=at,
            officer_release=release,
            note=note,
            ip=client_ip(request),
        )
        return "Approved: the alert is active and is being distributed." + (
            " (Exercise: nothing public, no live recipients.)" if alert.is_exercise else ""
        )

    return _decide(request, public_id, decide)


@require_POST
def alert_return(request, public_id):
    reason = request.POST.get("reason", "")

    def decide(alert):
        if _stage(request, alert) == "update":
            services.alert_update_return(actor=request.user, alert=alert, reason=reason, ip=client_ip(request))
            return "Update returned to the agency with your reason."
        services.alert_return(actor=request.user, alert=alert, reason=reason, ip=client_ip(request))
        return "Returned to the agency with your reason."

    return _decide(request, public_id, decide)


@require_POST
def alert_deny(request, public_id):
    reason = request.POST.get("reason", "")

    def decide(alert):
        services.alert_deny(
            actor=request.user,
            alert=alert,
            reason=reason,
            reauthenticated_at=reauthenticated_at(request),
            ip=client_ip(request),
        )
        return "Denied. The agency has been told why."

    return _decide(request, public_id, decide)


@require_POST
def alert_resolve(request, public_id):
    form = OutcomeForm(request.POST)
    outcome = form.data.get("outcome", "")
    note = form.data.get("note", "")

    def decide(alert):
        services.alert_resolve(
            actor=request.user,
            alert=alert,
            outcome=outcome,
            note=note,
            reauthenticated_at=reauthenticated_at(request),
            ip=client_ip(request),
        )
        return f"The alert is {alert.get_status_display().lower()}; the cancellation goes to everyone who received it."

    return _decide(request, public_id, decide)


def photo_file(request, public_id, photo_id):
    """Portal-only access to a working-copy photo (web copy), for people who may view the alert."""
    alert = selectors.alert_get_for_user(request.user, public_id)
    photo = Photo.objects.filter(alert=alert, public_id=photo_id).first()
    if photo is None:
        raise Http404("No such photo")
    response = FileResponse(photo.web_image.open("rb"), content_type="image/jpeg")
    response["Cache-Control"] = "private, max-age=300"
    return response
