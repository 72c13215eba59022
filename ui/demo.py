"""Demo data for a first look (``run(..., demo=True)``) and screenshots."""

from __future__ import annotations

import logging
import random

from crm_desktop.context import AppContext
from crm_desktop.services.lists import ListSpec
from ui.main_window import MainWindow
from ui.tasks import run_async

log = logging.getLogger("crm.ui.demo")

FIRST = ("Ava Liam Olivia Noah Emma Oliver Sophia Elijah Mia Lucas Amelia Mason Harper Ethan Evelyn "
         "James Abigail Aiden Emily Logan Ella Jackson Chloe Sebastian Grace Mateo Nora Henry Zoë "
         "Léa Jonas Sofía Hiroshi Priya Ingrid Tomás Anouk Kwame Mei").split()
LAST = ("Anderson Baker Carter Dubois Evans Fischer García Hughes Ito Jensen Kowalski Lindqvist Martin "
        "Nakamura O'Brien Patel Quinn Rossi Schmidt Tanaka Usman Vargas Weber Xu Young Zimmermann "
        "Novak Haddad Moreau Okafor").split()
COMPANIES = ["Acme Corporation", "Globex", "Initech", "Umbrella Health", "Stark Industries", "Wayne Logistics",
             "Hooli", "Vandelay Imports", "Pied Piper", "Dunder Mifflin Paper", "Tyrell Systems",
             "Nakatomi Trading", "Aperture Labs", "Soylent Foods", "Cyberdyne Robotics", "Gringotts Finance"]
INDUSTRIES = ["Manufacturing", "Software", "Healthcare", "Logistics", "Retail", "Finance", "Food"]
CITIES = ["Boston", "Chicago", "Seattle", "Austin", "Denver", "San Francisco", "New York", "Portland"]
TITLES = ["Head of Sales", "CEO", "CTO", "Account Executive", "Procurement Lead", "Office Manager",
          "VP Marketing", "Software Engineer", "Operations Director", "CFO", "Buyer", "Consultant"]
AREA = ["617", "312", "206", "512", "303", "415", "212", "503"]


def seed(context: AppContext, contacts: int = 300, seed_value: int = 7) -> int:
    """Create demo accounts and contacts unless there are contacts already."""
    if context.lists.count(ListSpec("contact")):
        return 0
    rnd = random.Random(seed_value)
    records = context.records
    accounts = []
    for i, name in enumerate(COMPANIES):
        city = CITIES[i % len(CITIES)]
        domain = name.split()[0].lower() + ".com"
        accounts.append((records.create("account", {
            "name": name, "industry": rnd.choice(INDUSTRIES), "website": f"https://www.{domain}",
            "email": f"hello@{domain}", "city": city, "country": "United States",
        }), domain, city))
    for i in range(contacts):
        first, last = rnd.choice(FIRST), rnd.choice(LAST)
        account_id, domain, city = rnd.choice(accounts)
        local = f"{first}.{last}".lower().replace("'", "").replace("ö", "o")
        records.create("contact", {
            "first_name": first, "last_name": last, "title": rnd.choice(TITLES), "account_id": account_id,
            "email": f"{local}{i % 7 or ''}@{domain}",
            "phone": f"({rnd.choice(AREA)}) 555-{rnd.randint(100, 199):03d}{rnd.randint(0, 9)}",
            "city": city,
        })
    log.info("created %d demo contacts", contacts)
    return contacts


def seed_demo(window: MainWindow, contacts: int = 300) -> None:
    def done(created: int) -> None:
        if created:
            window.bus.announce({"account", "contact"})

    run_async(window.context.worker, seed, window.context, contacts, on_done=done, context=window)
