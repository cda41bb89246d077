"""Command palette (ctrl+p): every screen, and every action of the screen it is opened on, by name;
and services by name, which open their detail."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from functools import partial

from textual.command import DiscoveryHit, Hit, Hits, Provider

from broker_tui.ui.base import app_context, broker_app

Command = tuple[str, Callable[[], object], str]


class BrokerCommands(Provider):
    """Screens, then the current screen's actions: generated from its bindings and palette actions."""

    def commands(self) -> list[Command]:
        from broker_tui.ui.screens.help import describe, own_bindings

        app, nav, screen = self.app, broker_app(self.screen), self.screen
        found: list[Command] = [
            ("Go to today's work (home)", partial(app.run_action, "go('home')"), "Open the home screen"),
            ("Go to the provider directory", partial(app.run_action, "go('directory')"),
             "Search and filter every service"),
            ("Go to referrals", partial(app.run_action, "go('referrals')"),
             "Every placement request, most urgent first"),
            ("New referral", nav.new_referral, "Start a placement request"),
            ("Go to the audit trail", partial(app.run_action, "go('audit')"),
             "Who changed what, when: by record, case reference, person or date"),
            ("Go to purchases (spot agreements)", partial(app.run_action, "go('purchases')"),
             "Every spot agreement: awaiting approval, active, ending soon; approve, amend, end"),
            ("Go to block contracts", partial(app.run_action, "go('contracts')"),
             "Units bought in blocks: who is in each today, voids, usage; place a child, end a placement"),
            ("Go to quality assurance", partial(app.run_action, "go('quality')"),
             "QA notes and actions, visits overdue: record a note, correct one, mark actions done"),
            ("Go to the 16+ review", partial(app.run_action, "go('review')"),
             "The commissioner's review: block against spot, utilisation, voids, cost, QA, expiry, block size"),
            ("Go to sufficiency (demand forecast)", partial(app.run_action, "go('sufficiency')"),
             "Children in care forecast from the SSDA903 return, the gap against the market, its diversity"),
            ("Find placements (ad hoc search)", nav.open_match_search,
             "Rank the market for a child's age, the types sought, a distance and a budget"),
            ("Show keys (help)", partial(app.run_action, "help"), "Every key, screen by screen"),
        ]
        from textual.screen import Screen

        title = screen.TITLE or type(screen).__name__
        seen = {"help", "go('home')", "go('directory')", "go('referrals')", "go('audit')", "go('quality')",
                "go('contracts')", "go('purchases')", "go('review')", "go('sufficiency')"}
        for binding in own_bindings(type(screen), Screen):
            if binding.action in seen or binding.action.startswith("app."):
                continue
            seen.add(binding.action)
            found.append((f"{title}: {describe(binding)}", partial(screen.run_action, binding.action),
                          f"Key: {app.get_key_display(binding)}"))
        for name, action, help_text in getattr(screen, "PALETTE_ACTIONS", ()):
            found.append((f"{title}: {name}", partial(screen.run_action, action), help_text))
        return found

    async def discover(self) -> Hits:
        for name, callback, help_text in self.commands():
            yield DiscoveryHit(name, callback, help=help_text)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for name, callback, help_text in self.commands():
            score = matcher.match(name)
            if score > 0:
                yield Hit(score, matcher.highlight(name), callback, help=help_text)


class ServiceSearch(Provider):
    """Type part of a service's name, owner or town (three letters or more; typos tolerated) to open it."""

    async def search(self, query: str) -> Hits:
        text = query.strip()
        if len(text) < 3:
            return
        from broker_tui.services.market import DirectoryQuery, directory_page

        try:  # the directory's own text search: the typo-tolerant index, best match first
            result = await asyncio.to_thread(directory_page, app_context(self.screen), DirectoryQuery(text=text), None, 8)
        except Exception:  # noqa: BLE001  (the palette simply offers no services)
            return
        matcher = self.matcher(text)
        for place, row in enumerate(result.rows):
            title = f"Open service: {row.name}"
            yield Hit(max(matcher.match(title), 0.6 - 0.01 * place), matcher.highlight(title),
                      partial(broker_app(self.screen).open_service, str(row.id), row.name),
                      help=f"{row.type_label} · {row.provider_name} · {row.judgement}")
