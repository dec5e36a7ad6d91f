"""Who may do what with subscribers and deliveries. Predicates only."""

from agencies.permissions import can_coordinate_state, is_national_admin


def can_review_subscriber(user, subscriber) -> bool:
    """A coordinator of one of the outlet's states, or a national administrator, verifies or rejects it."""
    if not (user and user.is_authenticated and user.is_active):
        return False
    return is_national_admin(user) or any(can_coordinate_state(user, s) for s in subscriber.states.all())


def can_view_deliveries(user, message) -> bool:
    """The coordinators of the alert's state, and national administrators (read-only)."""
    if not (user and user.is_authenticated and user.is_active):
        return False
    return can_coordinate_state(user, message.alert.state) or is_national_admin(user)


def can_retry_deliveries(user, message) -> bool:
    """Only a coordinator of the alert's state acts on its deliveries."""
    return bool(user and user.is_authenticated and user.is_active and can_coordinate_state(user, message.alert.state))


def can_see_subscriber_queue(user) -> bool:
    from agencies.selectors import states_coordinated_by

    if not (user and user.is_authenticated and user.is_active):
        return False
    return is_national_admin(user) or states_coordinated_by(user).exists()
