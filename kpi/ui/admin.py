"""The Administration page's sections: users, targets, indicators, the audit log. Every change
goes through kpi.accounts or kpi.admin, which check the admin role again and write the audit
log; this module only draws and reports."""

from __future__ import annotations

import datetime as dt
import io
import json

import pandas as pd
import streamlit as st

from kpi import accounts, audit, db
from kpi import admin as core
from kpi.access import ROLES
from kpi.config import get_settings
from kpi.i18n import has, t
from kpi.numbers import format_number
from kpi.ui import data
from kpi.ui.account import account_error
from kpi.ui.frame import PageContext, time_text


def _flash(key: str) -> None:
    message = st.session_state.pop(key, None)
    if message:
        (st.success if message[0] == "ok" else st.error)(message[1])


def _scope_input(text: str) -> list[str]:
    return [c.strip() for c in text.replace(";", ",").replace(" ", ",").split(",") if c.strip()]


def users_section(ctx: PageContext) -> None:
    lang = ctx.lang
    _flash("admin_users_flash")
    with db.session_scope(data.engine()) as session:
        users = [
            {
                t("admin.col.name", lang): u.name,
                t("admin.col.role", lang): t(f"access.role.{u.role}", lang),
                t("admin.col.scope", lang): ", ".join(u.scope),
                t("admin.col.active", lang): u.active,
                t("admin.col.demo", lang): u.is_demo,
                t("admin.col.created", lang): time_text(u.created_at),
            }
            for u in accounts.list_users(session)
        ]
    st.dataframe(pd.DataFrame(users), hide_index=True, key="admin_users")
    names = [u[t("admin.col.name", lang)] for u in users]

    st.subheader(t("admin.add_heading", lang))
    with st.form("admin_add_user", clear_on_submit=True):
        name = st.text_input(t("admin.col.name", lang), key="admin_add_name")
        role = st.selectbox(
            t("admin.col.role", lang),
            ROLES,
            format_func=lambda r: t(f"access.role.{r}", lang),
            key="admin_add_role",
        )
        scope = st.text_input(t("admin.scope_help", lang), value="84", key="admin_add_scope")
        submitted = st.form_submit_button(t("admin.add", lang))
    if submitted:
        password = accounts.generate_password()
        try:
            with db.session_scope(data.engine()) as session:
                accounts.add_user(session, ctx.user, name, role, _scope_input(scope), password)
        except accounts.AccountError as exc:
            st.session_state["admin_users_flash"] = ("error", account_error(exc, lang))
        else:
            message = t("admin.added", lang, name=name.strip(), password=password)
            st.session_state["admin_users_flash"] = ("ok", message)
        st.rerun()

    if not names:
        return
    st.subheader(t("admin.edit_heading", lang))
    chosen = st.selectbox(t("admin.col.name", lang), names, key="admin_edit_user")
    with db.session_scope(data.engine()) as session:
        user = accounts.get_user(session, chosen)
        current = (user.role, list(user.scope), user.active) if user else ("viewer", [], True)
    cols = st.columns(3)
    role = cols[0].selectbox(
        t("admin.col.role", lang),
        ROLES,
        index=ROLES.index(current[0]),
        format_func=lambda r: t(f"access.role.{r}", lang),
        key=f"admin_edit_role_{chosen}",
    )
    scope = cols[1].text_input(
        t("admin.scope_help", lang), value=", ".join(current[1]), key=f"admin_edit_scope_{chosen}"
    )
    active = cols[2].checkbox(
        t("admin.col.active", lang), value=current[2], key=f"admin_edit_active_{chosen}"
    )
    buttons = st.columns(3)
    if buttons[0].button(t("admin.save_user", lang), key="admin_save_user"):
        try:
            with db.session_scope(data.engine()) as session:
                accounts.update_user(
                    session, ctx.user, chosen, role=role, scope=_scope_input(scope), active=active
                )
        except accounts.AccountError as exc:
            st.session_state["admin_users_flash"] = ("error", account_error(exc, lang))
        else:
            st.session_state["admin_users_flash"] = ("ok", t("admin.saved", lang, name=chosen))
        st.rerun()
    if buttons[1].button(t("admin.reset_password", lang), key="admin_reset_password"):
        password = accounts.generate_password()
        with db.session_scope(data.engine()) as session:
            accounts.set_password(session, ctx.user, chosen, password)
        message = t("admin.password_reset", lang, name=chosen, password=password)
        st.session_state["admin_users_flash"] = ("ok", message)
        st.rerun()
    if buttons[2].button(t("admin.revoke", lang), key="admin_revoke_sessions"):
        with db.session_scope(data.engine()) as session:
            ended = accounts.revoke_sessions(session, ctx.user, chosen)
        message = t("admin.revoked", lang, name=chosen, count=format_number(ended, lang))
        st.session_state["admin_users_flash"] = ("ok", message)
        st.rerun()


def targets_section(ctx: PageContext) -> None:
    lang = ctx.lang
    _flash("admin_targets_flash")
    cat = data.catalogue()
    with db.session_scope(data.engine()) as session:
        table = core.target_table(session, cat)
    st.caption(t("admin.targets_help", lang))
    shown = table.assign(value=[format_number(v, lang) for v in table["value"]])
    shown["value"] = shown["value"].astype("string")
    codes = [i.code for i in cat.ordered() if not i.is_derived]
    edited = st.data_editor(
        shown,
        num_rows="dynamic",
        hide_index=True,
        key="admin_targets_editor",
        column_config={
            "indicator": st.column_config.SelectboxColumn(
                t("admin.col.indicator", lang), options=codes, required=True
            ),
            "unit": st.column_config.TextColumn(t("admin.col.unit", lang), required=True),
            "year": st.column_config.NumberColumn(
                t("admin.col.year", lang), min_value=2000, max_value=2100, step=1, format="%d"
            ),
            "value": st.column_config.TextColumn(t("admin.col.target", lang)),
        },
    )
    if st.button(t("admin.save_targets", lang), key="admin_save_targets"):
        rows = edited.to_dict("records")
        with db.session_scope(data.engine()) as session:
            counts, problems = core.save_targets(session, ctx.user, cat, rows)
        if problems:
            lines = [
                t(
                    "admin.target_problem",
                    lang,
                    row=p.row,
                    column=t(f"admin.col.{'target' if p.column == 'value' else p.column}", lang),
                    problem=t(f"admin.target_error.{p.code}", lang),
                    found=p.found,
                )
                for p in problems
            ]
            st.session_state["admin_targets_flash"] = ("error", "\n\n".join(lines))
        else:
            st.session_state["admin_targets_flash"] = (
                "ok",
                t("admin.targets_saved", lang, **counts),
            )
        st.rerun()


def indicators_section(ctx: PageContext) -> None:
    lang = ctx.lang
    _flash("admin_indicators_flash")
    cat = data.catalogue()
    rows = [
        {
            "code": i.code,
            t("admin.col.indicator", lang): i.name(lang),
            t("admin.col.active", lang): i.active,
        }
        for i in cat.ordered()
    ]
    active_col = t("admin.col.active", lang)
    edited = st.data_editor(
        pd.DataFrame(rows),
        hide_index=True,
        disabled=["code", t("admin.col.indicator", lang)],
        key="admin_indicators_editor",
    )
    if st.button(t("admin.save_indicators", lang), key="admin_save_indicators"):
        changed = 0
        with db.session_scope(data.engine()) as session:
            for row in edited.to_dict("records"):
                if bool(row[active_col]) != cat[row["code"]].active:
                    changed += core.set_active(
                        session, ctx.user, row["code"], bool(row[active_col])
                    )
        st.session_state["admin_indicators_flash"] = (
            "ok",
            t("admin.indicators_saved", lang, count=changed),
        )
        st.rerun()


def action_name(action: str, lang: str) -> str:
    """An audit action in words (the code stays in the CSV download)."""
    key = f"admin.action.{action}"
    return t(key, lang) if has(key, lang) else action


def audit_section(ctx: PageContext) -> None:
    lang = ctx.lang
    tz = get_settings().timezone
    with db.session_scope(data.engine()) as session:
        known = audit.actions(session)
    cols = st.columns(4)
    actor = cols[0].text_input(t("admin.col.actor", lang), key="admin_audit_actor")
    action = cols[1].selectbox(t("admin.col.action", lang), ["", *known], key="admin_audit_action")
    outcome = cols[2].selectbox(
        t("admin.col.outcome", lang),
        ["", "ok", "refused", "failed"],
        format_func=lambda o: t(f"admin.outcome.{o or 'all'}", lang),
        key="admin_audit_outcome",
    )
    since = cols[3].date_input(
        t("admin.since", lang),
        value=dt.date.today() - dt.timedelta(days=30),
        format="DD/MM/YYYY",
        key="admin_audit_since",
    )
    flt = audit.AuditFilter(
        actor=actor.strip(),
        action=action,
        outcome=outcome,
        since=since if isinstance(since, dt.date) else None,
    )
    with db.session_scope(data.engine()) as session:
        frame = audit.events(session, flt)
    shown = pd.DataFrame(
        {
            t("admin.col.at", lang): [time_text(v) for v in frame["at"]],
            t("admin.col.actor", lang): frame["actor"],
            t("admin.col.action", lang): [action_name(a, lang) for a in frame["action"]],
            t("admin.col.outcome", lang): [t(f"admin.outcome.{o}", lang) for o in frame["outcome"]],
            t("admin.col.address", lang): frame["address"].fillna(""),
            t("admin.col.detail", lang): [
                json.dumps(d, ensure_ascii=False, sort_keys=True) for d in frame["detail"]
            ],
        }
    )
    st.caption(t("admin.audit_count", lang, count=format_number(len(frame), lang), tz=tz))
    st.dataframe(shown, hide_index=True, key="admin_audit_table")
    engine, user = data.engine(), ctx.user

    def csv_file() -> bytes:
        buffer = io.StringIO()
        machine = frame.assign(
            at=[v.isoformat(timespec="seconds") + "Z" for v in frame["at"]],
            detail=[json.dumps(d, ensure_ascii=False, sort_keys=True) for d in frame["detail"]],
        )
        machine.to_csv(buffer, index=False, lineterminator="\r\n")
        with db.session_scope(engine) as session:
            audit.record(session, user, "export", what="audit_log", rows=len(machine))
        return ("\ufeff" + buffer.getvalue()).encode("utf-8")

    st.download_button(
        t("admin.audit_download", lang),
        csv_file,
        file_name="audit-log.csv",
        mime="text/csv",
        key="admin_audit_download",
    )
