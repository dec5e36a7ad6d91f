"""manage.py republish: rebuild every public artifact (pages, CAP files, JSON, photos, feeds)."""

from django.core.management.base import BaseCommand

from alerts.publishing import photos_withdraw_due, site_republish


class Command(BaseCommand):
    help = "Rebuild every published artifact under the publish root. Safe to repeat."

    def add_arguments(self, parser):
        parser.add_argument(
            "--withdraw-due",
            action="store_true",
            help="Only republish ended alerts whose suspect photos passed PUBLIC_PHOTO_WITHDRAW_DAYS.",
        )

    def handle(self, *args, withdraw_due: bool = False, verbosity: int = 1, **options):
        if withdraw_due:
            count = photos_withdraw_due()
            self.stdout.write(f"Withdrew suspect photos from {count} alert(s).")
            return
        count = site_republish(stdout=self.stdout if verbosity > 1 else None)
        self.stdout.write(self.style.SUCCESS(f"Republished {count} alert(s) and the site pages and feeds."))
