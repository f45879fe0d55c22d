from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone

from kdesk.config_cache import new_version as new_config_version
from kdesk.scopes import ALL_SCOPES  # noqa: F401  (re-exported for admin/forms)


class Organization(models.Model):
    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    # Bumped by the database with every change to the org's metadata, validation rules,
    # webhook subscriptions and mailboxes (kdesk.config_cache).
    config_version = models.BigIntegerField(default=new_config_version, editable=False)

    def __str__(self):
        return self.name


class UserManager(BaseUserManager):
    use_in_migrations = True

    def create_user(self, email, password=None, *, org, **extra):
        if not email:
            raise ValueError("A user needs an email address.")
        email = self.normalize_email(email).lower()
        extra.setdefault("username", email.split("@")[0])
        extra.setdefault("display_name", extra["username"])
        user = self.model(email=email, org=org, **extra)
        if password:
            user.set_password(password)
        else:
            user.set_unusable_password()
        user.save(using=self._db)
        return user

    def create_superuser(self, email, password=None, **extra):
        org = extra.pop("org", None)
        if org is None:
            org, _ = Organization.objects.get_or_create(
                slug="default", defaults={"name": "Default"}
            )
        extra.update(is_staff=True, is_superuser=True, role=User.Role.ADMIN)
        return self.create_user(email, password, org=org, **extra)


class User(AbstractBaseUser, PermissionsMixin):
    class Role(models.TextChoices):
        ADMIN = "admin", "Admin"
        AGENT = "agent", "Agent"

    org = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="users")
    email = models.EmailField(unique=True)
    username = models.CharField(
        max_length=64, help_text="Unique within the organization; used for @mentions."
    )
    display_name = models.CharField(max_length=150)
    role = models.CharField(max_length=10, choices=Role.choices, default=Role.AGENT)
    time_zone = models.CharField(max_length=64, default="UTC")
    is_active = models.BooleanField(default=True)
    is_staff = models.BooleanField(default=False)
    # API keys act as their own machine user; machine users never sign in.
    is_machine = models.BooleanField(default=False)
    date_joined = models.DateTimeField(default=timezone.now)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["display_name"]

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["org", "username"], name="user_username_unique_in_org")
        ]

    def __str__(self):
        return self.display_name or self.email

    @property
    def is_admin(self):
        return self.role == self.Role.ADMIN

    @property
    def initials(self):
        parts = (self.display_name or self.email).split()
        return "".join(p[0] for p in parts[:2]).upper()


class Team(models.Model):
    org = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="teams")
    name = models.CharField(max_length=100)
    display_name = models.CharField(max_length=150, blank=True)
    slug = models.SlugField(max_length=64, help_text="Used for @team mentions.")
    members = models.ManyToManyField(User, related_name="teams", blank=True)
    rev = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["org", "slug"], name="team_slug_unique"),
            models.UniqueConstraint("org", Lower("name"), name="team_name_unique_ci"),
        ]
        ordering = ["name"]

    def __str__(self):
        return self.name


class ApiKey(models.Model):
    org = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="api_keys")
    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="api_key")
    name = models.CharField(max_length=100)
    prefix = models.CharField(max_length=16, unique=True)
    token_hash = models.CharField(max_length=64, unique=True)
    scopes = models.JSONField(default=list)
    rate_limit_per_minute = models.PositiveIntegerField(null=True, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    def __str__(self):
        return f"{self.name} ({self.prefix}…)"

    def is_usable(self, now=None):
        now = now or timezone.now()
        if self.revoked_at is not None:
            return False
        return self.expires_at is None or self.expires_at > now


class Event(models.Model):
    """One row per change; the spine every reader (timeline, feed, sockets, webhooks) follows."""

    id = models.BigAutoField(primary_key=True)
    # every index below leads with org: a separate one would only slow down the writes
    org = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="+", db_index=False
    )
    type = models.CharField(max_length=120)
    resource = models.CharField(max_length=80)
    resource_id = models.CharField(max_length=64)
    customer_id = models.BigIntegerField(null=True, blank=True)
    actor = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    rev = models.PositiveIntegerField(null=True, blank=True)
    data = models.JSONField(default=dict, blank=True)
    changes = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [
            models.Index(fields=["org", "id"], name="event_org_id"),
            models.Index(fields=["org", "customer_id", "id"], name="event_org_customer_id"),
            models.Index(
                fields=["org", "customer_id", "-created_at", "-id"], name="event_customer_time"
            ),
            models.Index(fields=["org", "resource", "resource_id", "id"], name="event_resource"),
        ]

    def __str__(self):
        return f"{self.type} #{self.id}"


class IdempotencyRecord(models.Model):
    org = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    principal = models.CharField(max_length=40)
    key = models.CharField(max_length=255)
    method = models.CharField(max_length=10)
    path = models.CharField(max_length=500)
    request_hash = models.CharField(max_length=64)
    status_code = models.PositiveSmallIntegerField()
    response_body = models.BinaryField()
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["org", "principal", "key"], name="idempotency_unique")
        ]

    def __str__(self):
        return f"{self.method} {self.path} ({self.key})"
