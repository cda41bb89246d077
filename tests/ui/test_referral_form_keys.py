"""The referral form under keys sent as a terminal sends them: all at once, with no pause between them."""

from __future__ import annotations

from textual import events
from textual.widgets import Input

from tests.ui.conftest import SIZE, make_app, sync
from tests.ui.test_referral_form import error_of, goto_section_of, open_form, settle


def burst(app, *keys: str) -> None:
    """Post every key to the app before any is handled, as a fast typist or a paste of keys does (``pilot.press``
    waits for the app to be idle after each key, so it never shows a key routed before the one before it ran)."""
    chars = {"tab": "\t", "space": " "}
    for key in keys:
        event = events.Key(key, key if len(key) == 1 else chars.get(key))
        event.set_sender(app)
        app._driver.send_message(event)


def values(form, *keys: str) -> list[str]:
    return [form.query_one(f"#f-{k}", Input).value for k in keys]


@sync
async def test_keys_typed_without_pauses_land_in_the_field_that_has_focus(sqlite_ctx) -> None:
    app = make_app(sqlite_ctx)
    async with app.run_test(size=SIZE) as pilot:
        form = await open_form(app, pilot)
        await goto_section_of(pilot, "disability_health")
        await settle(pilot)
        assert app.focused is form.query_one("#f-disability_health")
        burst(app, "A", "A", "A", "tab", "B", "B", "B", "tab", "x", "tab")
        await settle(pilot)
        assert values(form, "disability_health", "school", "year_group") == ["AAA", "BBB", "x"]
        assert "school year" in error_of(form, "year_group")  # checked on leaving it, as when typed slowly


@sync
async def test_initials_then_age_typed_quickly(sqlite_ctx) -> None:
    app = make_app(sqlite_ctx)
    async with app.run_test(size=SIZE) as pilot:
        form = await open_form(app, pilot)
        form.query_one("#f-initials", Input).focus()
        await settle(pilot)
        burst(app, "Z", "X", "tab", "tab", "1", "4", "shift+tab", "shift+tab", "end", "Q")
        await settle(pilot)
        assert values(form, "initials", "date_of_birth", "age_years") == ["ZXQ", "", "14"]


@sync
async def test_editing_keys_typed_quickly_act_where_they_were_typed(sqlite_ctx) -> None:
    app = make_app(sqlite_ctx)
    async with app.run_test(size=SIZE) as pilot:
        form = await open_form(app, pilot)
        form.query_one("#f-case_ref", Input).focus()
        await settle(pilot)
        burst(app, "a", "b", "backspace", "c", "left", "d", "end", "e")
        await settle(pilot)
        assert values(form, "case_ref") == ["adce"]


async def type_need(pilot, *keys: str):
    from broker_tui.ui.widgets.tag_picker import TagPicker

    await goto_section_of(pilot, "specialist_needs")
    pilot.app.screen.query_one(".tag-input", Input).focus()
    await pilot.pause()
    await pilot.press(*keys)
    await settle(pilot)
    picker = pilot.app.screen.query_one(TagPicker)
    return picker.tags, picker.free_text


@sync
async def test_enter_takes_a_tag_only_when_the_words_clearly_name_it(sqlite_ctx) -> None:
    app = make_app(sqlite_ctx)
    async with app.run_test(size=SIZE) as pilot:
        await open_form(app, pilot)
        # "Parent and child" is suggested (the words share "and parent"), but it is not what was typed
        assert await type_need(pilot, *"Loves dragons and parents", "enter") == ([], ["Loves dragons and parents"])
        assert await type_need(pilot, *"mother and baby", "enter") == (["parent_and_child"],
                                                                       ["Loves dragons and parents"])


@sync
async def test_a_suggested_tag_is_taken_when_the_broker_picks_it(sqlite_ctx) -> None:
    app = make_app(sqlite_ctx)
    async with app.run_test(size=SIZE) as pilot:
        await open_form(app, pilot)
        assert await type_need(pilot, *"parents", "down", "enter") == (["parent_and_child"], [])


@sync
async def test_a_new_referral_once_saved_is_opened_and_leaving_gives_the_list_table_the_focus(sqlite_ctx) -> None:
    from textual.widgets import DataTable

    from broker_tui.ui.screens.referrals.detail import ReferralDetailScreen
    from broker_tui.ui.screens.referrals.list import ReferralListScreen
    from tests.ui.test_referral_form import fill_valid

    app = make_app(sqlite_ctx)
    async with app.run_test(size=SIZE) as pilot:
        await open_form(app, pilot)
        listing = app.screen_stack[-2]
        assert isinstance(listing, ReferralListScreen)
        await pilot.press("escape")  # nothing typed: leaves at once
        await settle(pilot)
        assert app.screen is listing and app.focused is listing.query_one("#ref-table", DataTable)
        await pilot.press("ctrl+n")
        await settle(pilot)
        await fill_valid(pilot)
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, ReferralDetailScreen) and app.screen.case_ref == "LCC-300001"
        await pilot.press("escape")
        await settle(pilot)
        assert app.screen is listing and app.focused is listing.query_one("#ref-table", DataTable)
