"""Which fields of an alert and its parts each door may write: the drafting form, the API
serializers and the drafting service read these lists, so they cannot drift apart."""

from .texts import TEXT_FIELDS

# Fields the drafter writes. Not here: agency, state, is_exercise (fixed at creation), status and
# bookkeeping, expires_at (set at approval, extended by approval), officer_release (coordinator only).
DRAFT_FIELDS = (
    "trigger",
    "incident_at",
    "incident_address",
    "incident_city",
    "incident_county",
    "incident_lat",
    "incident_lon",
    "case_number",
    "ncic_number",
    "warrant_status",
    "case_contact",
    "private_notes",
    "last_seen_place",
    "last_seen_at",
    "last_seen_lat",
    "last_seen_lon",
    "direction",
    "travel_mode",
    "officer_name",
    "officer_description",
    "public_instruction",
    "tip_line",
    "statewide",
    *TEXT_FIELDS,
)
SUSPECT_FIELDS = (
    "name",
    "aliases",
    "age",
    "date_of_birth",
    "sex",
    "race",
    "height",
    "weight",
    "hair",
    "eyes",
    "clothing",
    "marks",
    "armed_and_dangerous",
)
VEHICLE_FIELDS = ("year", "make", "model", "color", "body_style", "plate", "plate_partial", "plate_state", "features")
