from django.core.management.base import BaseCommand, CommandError

from audit.services import audit_verify


class Command(BaseCommand):
    help = "Check the audit log's hash chain; exits non-zero on a break."

    def handle(self, *args, **options):
        ok, count, problem = audit_verify()
        if not ok:
            raise CommandError(f"Audit chain broken after checking {count} events: {problem}")
        self.stdout.write(self.style.SUCCESS(f"Audit chain intact: {count} events."))
