"""HTTP for subscribers (public, by signed link), the coordinators' review queue and the delivery
dashboard. Thin: every write is a service call."""

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.ip import client_ip
from accounts.signed_in import signed_in_user
from core.exceptions import InvalidTransition
from outbox.selectors import delivery_counts, delivery_failures

from . import selectors, services
from .forms import PreferencesForm, RejectForm, SubscribeForm
from .models import MediaSubscriber
from .permissions import can_retry_deliveries, can_review_subscriber, can_see_subscriber_queue

# --- public: sign-up and the subscriber's own page ------------------------------------------------


@login_not_required
@require_http_methods(["GET", "POST"])
def subscribe(request: HttpRequest) -> HttpResponse:
    form = SubscribeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.subscriber_register(
                data=data, states=list(data["states"]), counties=list(data["counties"]), ip=client_ip(request)
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            return redirect("notifications:subscribe-sent")
    return render(request, "notifications/subscriber_form.html", {"form": form})


@login_not_required
@require_GET
def subscribe_sent(request: HttpRequest) -> HttpResponse:
    return render(request, "notifications/subscriber_sent.html")


@login_not_required
@require_http_methods(["GET", "POST"])
def subscribe_confirm(request: HttpRequest, token: str) -> HttpResponse:
    # GET only shows a button: mail scanners that fetch links must not confirm for the reader.
    if request.method == "GET":
        return render(request, "notifications/subscriber_confirm.html", {"token": token})
    try:
        subscriber = services.subscriber_confirm(token=token, ip=client_ip(request))
    except services.LinkExpired:
        return render(request, "notifications/subscriber_link_invalid.html", {"expired": True}, status=410)
    except services.LinkInvalid:
        return render(request, "notifications/subscriber_link_invalid.html", {}, status=400)
    return render(request, "notifications/subscriber_confirmed.html", {"subscriber": subscriber})


@login_not_required
@require_http_methods(["GET", "POST"])
def subscriber_manage(request: HttpRequest, token: str) -> HttpResponse:
    subscriber = selectors.subscriber_get_by_manage_token(token)
    initial = {
        "states": list(subscriber.states.all()),
        "counties": [str(pk) for pk in subscriber.counties.values_list("pk", flat=True)],
        "language": subscriber.language,
        "wants_exercises": subscriber.wants_exercises,
        "webhook_url": subscriber.webhook_url,
    }
    form = PreferencesForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.subscriber_preferences_update(
                subscriber=subscriber,
                states=list(data["states"]),
                counties=list(data["counties"]),
                language=data["language"],
                wants_exercises=data["wants_exercises"],
                webhook_url=data["webhook_url"],
                ip=client_ip(request),
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        except InvalidTransition as exc:
            messages.error(request, str(exc))
            return redirect("notifications:subscriber-manage", token=token)
        else:
            messages.success(request, "Your choices are saved.")
            return redirect("notifications:subscriber-manage", token=token)
    return render(
        request,
        "notifications/subscriber_manage.html",
        {
            "subscriber": subscriber,
            "form": form,
            "token": token,
            "active": subscriber.status not in (MediaSubscriber.Status.UNSUBSCRIBED, MediaSubscriber.Status.REJECTED),
        },
    )


@csrf_exempt  # RFC 8058: the mail client POSTs without a session or a CSRF token.
@login_not_required
@require_http_methods(["GET", "POST"])
def subscriber_unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    subscriber = selectors.subscriber_get_by_manage_token(token)
    if request.method == "GET":
        return render(request, "notifications/subscriber_unsubscribe.html", {"subscriber": subscriber, "token": token})
    services.subscriber_unsubscribe(subscriber=subscriber, ip=client_ip(request))
    return render(request, "notifications/subscriber_unsubscribed.html", {"subscriber": subscriber, "token": token})


@login_not_required
@require_POST
def subscriber_link_new(request: HttpRequest, token: str) -> HttpResponse:
    subscriber = selectors.subscriber_get_by_manage_token(token)
    services.subscriber_link_rotate(subscriber=subscriber, ip=client_ip(request))
    return render(request, "notifications/subscriber_link_sent.html", {"subscriber": subscriber})


# --- coordinators: verification queue -----------------------------------------------------------


@require_GET
def subscriber_queue(request: HttpRequest) -> HttpResponse:
    if not can_see_subscriber_queue(request.user):
        raise Http404("No such page")
    qs = selectors.subscribers_for_reviewer(request.user)
    return render(
        request,
        "notifications/subscriber_queue.html",
        {
            "pending": qs.filter(status=MediaSubscriber.Status.PENDING).order_by("confirmed_at", "id"),
            "decided": qs.filter(
                status__in=[MediaSubscriber.Status.VERIFIED, MediaSubscriber.Status.REJECTED]
            ).order_by("-decided_at")[:50],
        },
    )


@require_GET
def subscriber_review(request: HttpRequest, public_id) -> HttpResponse:
    subscriber = selectors.subscriber_get_for_reviewer(request.user, public_id=public_id)
    return render(
        request,
        "notifications/subscriber_review.html",
        {
            "subscriber": subscriber,
            "reject_form": RejectForm(),
            "can_decide": can_review_subscriber(request.user, subscriber),
        },
    )


@require_POST
def subscriber_verify(request: HttpRequest, public_id) -> HttpResponse:
    subscriber = selectors.subscriber_get_for_reviewer(request.user, public_id=public_id)
    try:
        services.subscriber_verify(actor=signed_in_user(request), subscriber=subscriber, ip=client_ip(request))
    except (InvalidTransition, PermissionDenied) as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, f"{subscriber.organisation} is verified and will receive alerts.")
    return redirect("notifications:subscriber-queue")


@require_POST
def subscriber_reject(request: HttpRequest, public_id) -> HttpResponse:
    subscriber = selectors.subscriber_get_for_reviewer(request.user, public_id=public_id)
    form = RejectForm(request.POST)
    if not form.is_valid():
        return render(
            request,
            "notifications/subscriber_review.html",
            {
                "subscriber": subscriber,
                "reject_form": form,
                "can_decide": can_review_subscriber(request.user, subscriber),
            },
            status=400,
        )
    try:
        services.subscriber_reject(
            actor=signed_in_user(request),
            subscriber=subscriber,
            reason=form.cleaned_data["reason"],
            ip=client_ip(request),
        )
    except (InvalidTransition, PermissionDenied) as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, f"{subscriber.organisation} was rejected; they have been told why.")
    return redirect("notifications:subscriber-queue")


# --- coordinators: delivery dashboard -----------------------------------------------------------


@require_GET
def delivery_dashboard(request: HttpRequest, message_id) -> HttpResponse:
    message = selectors.message_get_for_deliveries(request.user, message_id=message_id)
    return render(
        request,
        "notifications/delivery_dashboard.html",
        {
            "message": message,
            "alert": message.alert,
            "counts": delivery_counts(message_id=message.pk),
            "failures": delivery_failures(message_id=message.pk)[:500],
            "can_retry": can_retry_deliveries(request.user, message),
        },
    )


@require_GET
def delivery_progress(request: HttpRequest, message_id) -> JsonResponse:
    message = selectors.message_get_for_deliveries(request.user, message_id=message_id)
    response = JsonResponse(delivery_counts(message_id=message.pk))
    response["Cache-Control"] = "no-store"
    return response


@require_POST
def delivery_retry(request: HttpRequest, message_id) -> HttpResponse:
    message = selectors.message_get_for_deliveries(request.user, message_id=message_id)
    try:
        count = services.deliveries_retry_failed(actor=signed_in_user(request), message=message, ip=client_ip(request))
    except PermissionDenied as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, f"{count} failed deliveries queued again." if count else "Nothing to retry.")
    return redirect("notifications:delivery-dashboard", message_id=message.message_id)
