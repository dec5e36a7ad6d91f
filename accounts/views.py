from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods

from .forms import EmailAuthenticationForm, ReauthForm
from .reauth import reauth_mark


class LoginView(auth_views.LoginView):
    form_class = EmailAuthenticationForm
    template_name = "accounts/login.html"
    redirect_authenticated_user = True


def home(request):
    """Signed-in landing page: one card per membership, with where to go next."""
    memberships = request.user.memberships.filter(is_active=True).select_related("agency", "state")
    return render(request, "accounts/home.html", {"memberships": memberships})


@require_http_methods(["GET", "POST"])
def reauth(request):
    next_url = request.POST.get("next") or request.GET.get("next") or ""
    if not url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        next_url = ""
    form = ReauthForm(request.POST or None, user=request.user, request=request)
    if request.method == "POST" and form.is_valid():
        reauth_mark(request)
        messages.success(request, "Password confirmed. You can go ahead for the next 15 minutes.")
        return redirect(next_url or "accounts:home")
    return render(request, "accounts/reauth.html", {"form": form, "next": next_url})
