"""The demo organization's people and teams; apps add their own demo data on top."""

from kdesk.models import Team, User
from kdesk.services import organization_get_or_create, team_create, user_create_or_update

PASSWORD = "kdesk-demo"
PEOPLE = [
    ("admin@demo.kdesk.dev", "Ada Admin", "ada", "admin"),
    ("sam@demo.kdesk.dev", "Sam Rivera", "sam", "agent"),
    ("priya@demo.kdesk.dev", "Priya Shah", "priya", "agent"),
    ("lee@demo.kdesk.dev", "Lee Chen", "lee", "agent"),
]
LOGINS = [(email, role) for email, _, _, role in PEOPLE]
TEAMS = [("Billing", "billing", ["sam", "priya"]), ("Shipping", "shipping", ["lee", "priya"])]


def seed():
    org, _ = organization_get_or_create(slug="demo", name="Demo Outfitters")
    people = {}
    for email, name, username, role in PEOPLE:
        user = User.objects.filter(email=email).first()
        if user is None:
            user, _ = user_create_or_update(
                org=org,
                email=email,
                password=PASSWORD,
                role=role,
                display_name=name,
                username=username,
            )
        people[username] = user
    for name, slug, members in TEAMS:
        if not Team.objects.filter(org=org, slug=slug).exists():
            team_create(
                org=org,
                data={"name": name, "slug": slug, "members": [people[m].pk for m in members]},
            )
    return org, people
