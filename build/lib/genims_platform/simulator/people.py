"""The workforce of one month: who is at work (shared with labour bookings), timesheets and
payroll postings, training, and the application logins of employees and service accounts."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from genims_platform.simulator import names
from genims_platform.simulator.core import DAY, HOUR, MINUTE, NULL_INT, Chunk, month_start, weekday
from genims_platform.simulator.ledger import Line
from genims_platform.simulator.plant import SHIFTS, Plant
from genims_platform.simulator.world import World

ABSENCE_RATE = 0.04
OVERTIME_RATE = 0.08
LOGIN_FAILURE_RATE = 0.03


@dataclass
class Attendance:
    """Presence and overtime of every employee (by index) on every day of the month."""

    first_day: int
    present: np.ndarray  # (employees, days) bool
    overtime: np.ndarray  # (employees, days) hours
    hours: np.ndarray  # regular hours per employee

    def present_on(self, employees: np.ndarray, day: int) -> np.ndarray:
        return self.present[employees, day - self.first_day]

    def hours_on(self, employee: int, day: int) -> float:
        return float(self.hours[employee] + self.overtime[employee, day - self.first_day])


def attendance(world: World, chunk: Chunk) -> Attendance:
    """Operators work their line's rota (5 of 7 days on lines that run all week); everyone else
    works Monday to Friday; about 4 % of working days are absences."""
    plant = world.plant
    E, L = plant.employees, plant.lines
    rng = world.rng("hr", "attendance", chunk)
    days = chunk.days
    wd = weekday(days)[None, :]
    n = len(E["employee_id"])
    d = days[None, :]
    employed = (
        (E["hire_day"][:, None] <= d)
        & ((E["term_day"][:, None] == NULL_INT) | (d < E["term_day"][:, None]))
        & ((E["leave_start"][:, None] == NULL_INT) | (d < E["leave_start"][:, None]))
    )
    shop = E["line_id"] != NULL_INT
    dpw = np.where(shop, L["days_per_week"][np.maximum(E["line_id"], 1) - 1], 5)[:, None]
    roster = E["roster"][:, None]
    works = np.where(
        dpw == 7,
        (wd != roster) & (wd != (roster + 1) % 7),
        np.where(dpw == 6, (wd < 6) & (wd != roster % 6), wd < 5),
    )
    works &= ~E["is_head"][:, None] | (wd < 5)
    present = employed & works & (rng.random((n, len(days))) >= ABSENCE_RATE)
    overtime = np.where(
        present
        & (rng.random((n, len(days))) < OVERTIME_RATE)
        & (E["type"][:, None] != "PART_TIME"),
        rng.integers(2, 9, (n, len(days))) * 0.5,
        0.0,
    )
    return Attendance(chunk.first_day, present, overtime, E["hours"])


def timesheets(world: World, chunk: Chunk, att: Attendance) -> None:
    """One timesheet per employee and day worked, approved by the manager after three days, and
    the daily payroll accrual per cost centre."""
    plant = world.plant
    E = plant.employees
    rng = world.rng("hr", "timesheets", chunk)
    d_idx, e_idx = np.nonzero(att.present.T)  # day-major, so ids follow the calendar
    day = chunk.first_day + d_idx
    n = len(day)
    shop = E["shift_no"][e_idx] != NULL_INT
    shift_id = np.where(shop, (E["factory_id"][e_idx] - 1) * 3 + E["shift_no"][e_idx] + 1, NULL_INT)
    shift_end = np.where(
        shop, np.array([s[2] for s in SHIFTS])[np.maximum(E["shift_no"][e_idx], 0)] + 8, 17
    )
    created = day * DAY + shift_end * HOUR + rng.integers(5, 90, n) * MINUTE
    approved_ts = created + 3 * DAY + rng.integers(0, 8, n) * HOUR
    approved = approved_ts < world.cutoff
    keep = created < world.cutoff
    cc = plant.departments["cost_center_id"][E["department_id"][e_idx] - 1]
    regular = att.hours[e_idx]
    overtime = att.overtime[e_idx, d_idx]
    world.add(
        "hr.timesheets",
        timesheet_id=world.take_ids("hr.timesheets", int(keep.sum())),
        employee_id=E["employee_id"][e_idx][keep],
        work_date=day[keep],
        shift_id=shift_id[keep],
        cost_center_id=cc[keep],
        hours_regular=regular[keep],
        hours_overtime=overtime[keep],
        approved=approved[keep],
        approved_by_employee_id=np.where(approved, E["manager"][e_idx], NULL_INT)[keep],
        created_at=created[keep],
        updated_at=np.where(approved, approved_ts, created)[keep],
    )
    cost = np.rint((regular + 1.5 * overtime) * E["rate"][e_idx] * 100).astype(np.int64)
    _payroll_postings(world, chunk, plant, day, cc, cost)


def _payroll_postings(
    world: World, chunk: Chunk, plant: Plant, day: np.ndarray, cc: np.ndarray, cost: np.ndarray
) -> None:
    CC = plant.cost_centers
    n_days = chunk.end_day - chunk.first_day
    groups = {}
    for i, f in enumerate(CC["factory_id"]):
        groups.setdefault(int(f), []).append(i)
    per = np.zeros((len(CC["cost_center_id"]), n_days), dtype=np.int64)
    np.add.at(per, (cc - 1, day - chunk.first_day), cost)
    for factory, members in groups.items():
        amounts = per[members]
        total = amounts.sum(axis=0)
        active = np.flatnonzero(total > 0)
        if not len(active):
            continue
        fac = NULL_INT if factory == NULL_INT else factory
        lines = [
            Line(
                plant.account("5100" if CC["kind"][i] == "PRODUCTION" else "6000"),
                amounts[j, active],
                int(CC["cost_center_id"][i]),
                fac,
                "Wages and salaries",
            )
            for j, i in enumerate(members)
        ]
        lines.append(Line(plant.account("2100"), -total[active], NULL_INT, fac, "Accrued payroll"))
        label = "corporate" if factory == NULL_INT else plant.factories["code"][factory - 1]
        world.ledger.post(
            ts=(chunk.first_day + active) * DAY + 23 * HOUR + 45 * MINUTE,
            module="PAYROLL",
            description=f"Payroll accrual {label}",
            lines=lines,
        )
    # wages are paid on the 15th and on the 1st of the next month for the half month before
    total = per.sum(axis=0)
    days = chunk.days
    as_date = days.astype("datetime64[D]")
    dom = (as_date - as_date.astype("datetime64[M]").astype("datetime64[D]")).astype(int) + 1
    first_half = total[dom <= 15].sum()
    second_half = total[dom > 15].sum()
    pay_ts = []
    amounts = []
    if np.any(dom == 15) and first_half:
        pay_ts.append(int(days[dom == 15][0]) * DAY + 16 * HOUR)
        amounts.append(int(first_half))
    if chunk.end_day == month_start(chunk.key + 1) and second_half:
        pay_ts.append(chunk.end_day * DAY + 10 * HOUR)
        amounts.append(int(second_half))
    if pay_ts:
        amt = np.array(amounts, dtype=np.int64)
        ts = np.array(pay_ts, dtype=np.int64)
        world.ledger.post(
            ts=ts - HOUR,
            module="TREASURY",
            description="Payroll account funding",
            lines=[Line(plant.account("1010"), amt), Line(plant.account("1000"), -amt)],
        )
        world.ledger.post(
            ts=ts,
            module="PAYROLL",
            description="Net wages paid",
            lines=[Line(plant.account("2100"), amt), Line(plant.account("1010"), -amt)],
        )


def training(world: World, chunk: Chunk) -> None:
    """Course enrolments and results; certificates expire after the course's validity."""
    plant = world.plant
    E = plant.employees
    rng = world.rng("hr", "training_records", chunk)
    n_e = len(E["employee_id"])
    k = rng.poisson(0.25, n_e)
    emp = np.repeat(np.arange(n_e), k)
    n = len(emp)
    if chunk.first_day == world.horizon.first_day:
        # certificates from before the history, some of which expire during it
        hist = np.repeat(np.arange(n_e), rng.integers(1, 3, n_e))
        emp = np.concatenate([hist, emp])
        when = (
            np.concatenate(
                [
                    (world.horizon.first_day - rng.integers(30, 700, len(hist))) * DAY,
                    (chunk.first_day + rng.integers(0, chunk.end_day - chunk.first_day, n)) * DAY,
                ]
            )
            + rng.integers(8, 17, len(emp)) * HOUR
        )
        n = len(emp)
    else:
        when = (
            chunk.first_day + rng.integers(0, chunk.end_day - chunk.first_day, n)
        ) * DAY + rng.integers(8, 17, n) * HOUR
    employed = (E["hire_day"][emp] * DAY <= when) & (
        (E["term_day"][emp] == NULL_INT) | (when < E["term_day"][emp] * DAY)
    )
    enrolled = when - rng.integers(3, 30, n) * DAY
    keep = employed & (enrolled < world.cutoff)
    course = rng.integers(0, len(names.COURSES), n)
    validity = np.array([c[2] for c in names.COURSES])[course]
    done = when < world.cutoff
    failed = rng.random(n) < 0.05
    expires = when + validity * DAY
    status = np.where(
        ~done,
        "ENROLLED",
        np.where(failed, "FAILED", np.where(expires < world.cutoff, "EXPIRED", "COMPLETED")),
    )
    world.add(
        "hr.training_records",
        training_id=world.take_ids("hr.training_records", int(keep.sum())),
        employee_id=E["employee_id"][emp][keep],
        course_code=[names.COURSES[c][0] for c in course[keep]],
        course_name=[names.COURSES[c][1] for c in course[keep]],
        completed_at=np.where(done, when, NULL_INT)[keep],
        expires_at=np.where(done & ~failed, expires, NULL_INT)[keep],
        score=np.where(
            done,
            np.round(np.where(failed, rng.uniform(30, 69, n), rng.uniform(70, 100, n)), 1),
            np.nan,
        )[keep],
        status=status[keep],
        updated_at=np.where(status == "EXPIRED", expires, np.where(done, when, enrolled))[keep],
    )


def logins(world: World, chunk: Chunk, att: Attendance) -> None:
    """Sessions of employees on days they work and of service accounts every day; ~3 % of
    sessions start with a mistyped password, and a few times a month someone hammers one
    account with 5+ failures within minutes."""
    plant = world.plant
    U = plant.app_users
    rng = world.rng("master", "user_login_events", chunk)
    n_days = chunk.end_day - chunk.first_day
    human = np.flatnonzero(~U["is_service"])
    emp_idx = U["employee_id"][human] - 1
    present = att.present[emp_idx]  # (users, days)
    sessions = np.where(present, rng.choice([0, 1, 2], present.shape, p=[0.5, 0.4, 0.1]), 0)
    u_i, d_i = np.nonzero(sessions)
    reps = sessions[u_i, d_i]
    user = np.repeat(human[u_i], reps)
    day = chunk.first_day + np.repeat(d_i, reps)
    svc = np.flatnonzero(U["is_service"])
    svc_user = np.repeat(svc, 3 * n_days)
    svc_day = np.tile(np.repeat(chunk.days, 3), len(svc))
    user = np.concatenate([user, svc_user])
    day = np.concatenate([day, svc_day])
    n = len(user)
    is_svc = U["is_service"][user]
    start = np.where(
        is_svc,
        day * DAY + rng.integers(0, 24 * 60, n) * MINUTE,
        day * DAY + 6 * HOUR + rng.integers(0, 11 * 60, n) * MINUTE,
    )
    start = start + rng.integers(0, 60, n)
    logout = start + rng.integers(20, 8 * 60, n) * MINUTE
    has_logout = is_svc | (rng.random(n) < 0.85)
    ip = np.array(
        [
            f"10.{(u * 7) % 200 + 10}.{(u * 13) % 250}.{(u * 31) % 250 + 2}"
            for u in range(len(U["user_id"]))
        ],
        dtype=object,
    )
    vpn = rng.random(n) < 0.1
    sess_ip = np.where(
        vpn,
        np.array(
            [
                f"172.16.{a}.{b}"
                for a, b in zip(rng.integers(0, 255, n), rng.integers(2, 250, n), strict=True)
            ],
            dtype=object,
        ),
        ip[user],
    )
    agent = np.array(names.USER_AGENTS, dtype=object)[(user * 3 + vpn) % len(names.USER_AGENTS)]
    agent = np.where(is_svc, "genims-service-client/1.4", agent)
    app = np.array(names.APPLICATIONS, dtype=object)[rng.integers(0, len(names.APPLICATIONS), n)]
    fails = (~is_svc) & (rng.random(n) < LOGIN_FAILURE_RATE)
    f_count = np.where(fails, rng.integers(1, 3, n), 0)
    f_sess = np.repeat(np.arange(n), f_count)
    f_ts = start[f_sess] - rng.integers(20, 180, len(f_sess))
    # brute-force bursts
    n_bursts = 1 + rng.poisson(max(0.5, 2.0 * plant.scale.factor**0.5))
    b_user, b_name, b_ts, b_ip, b_reason = [], [], [], [], []
    for _ in range(n_bursts):
        t = (chunk.first_day + int(rng.integers(0, n_days))) * DAY + int(rng.integers(0, DAY))
        attempts = int(rng.integers(5, 16))
        if rng.random() < 0.7:
            target = int(rng.choice(human))
            uid, uname = int(U["user_id"][target]), U["username"][target]
            reason = "INVALID_PASSWORD"
        else:
            uid, uname = NULL_INT, str(rng.choice(["admin", "root", "test", "sa", "operator"]))
            reason = "UNKNOWN_USER"
        source = f"203.0.113.{int(rng.integers(2, 250))}"
        offsets = np.sort(rng.integers(0, int(rng.integers(2, 9)) * 60, attempts))
        for j, off in enumerate(offsets):
            b_user.append(uid)
            b_name.append(uname)
            b_ts.append(t + int(off))
            b_ip.append(source)
            locked = uid != NULL_INT and j >= 5
            b_reason.append("ACCOUNT_LOCKED" if locked else reason)
    users_id = U["user_id"]
    uname_arr = np.array(U["username"], dtype=object)
    ev_user = np.concatenate(
        [
            users_id[user],
            users_id[user[has_logout]],
            users_id[user[f_sess]],
            np.array(b_user, dtype=np.int64),
        ]
    )
    ev_name = np.concatenate(
        [
            uname_arr[user],
            uname_arr[user[has_logout]],
            uname_arr[user[f_sess]],
            np.array(b_name, dtype=object),
        ]
    )
    ev_ts = np.concatenate([start, logout[has_logout], f_ts, np.array(b_ts, dtype=np.int64)])
    n_ok, n_out, n_f, n_b = n, int(has_logout.sum()), len(f_sess), len(b_ts)
    ev_type = np.array(
        ["LOGIN"] * n_ok + ["LOGOUT"] * n_out + ["LOGIN_FAILED"] * (n_f + n_b), dtype=object
    )
    ev_success = np.concatenate([np.ones(n_ok + n_out, bool), np.zeros(n_f + n_b, bool)])
    ev_reason = np.array(
        [None] * (n_ok + n_out) + ["INVALID_PASSWORD"] * n_f + b_reason, dtype=object
    )
    ev_ip = np.concatenate(
        [sess_ip, sess_ip[has_logout], sess_ip[f_sess], np.array(b_ip, dtype=object)]
    )
    ev_agent = np.concatenate(
        [
            agent,
            agent[has_logout],
            agent[f_sess],
            np.array(["python-requests/2.31"] * n_b, dtype=object),
        ]
    )
    ev_app = np.concatenate(
        [app, app[has_logout], app[f_sess], np.array(["PORTAL"] * n_b, dtype=object)]
    )
    keep = (ev_ts < world.cutoff) & (ev_ts >= world.horizon.start_ts) & (ev_ts < chunk.end_ts)
    order = np.flatnonzero(keep)[np.argsort(ev_ts[keep], kind="stable")]
    world.add(
        "master.user_login_events",
        login_event_id=world.take_ids("master.user_login_events", len(order)),
        user_id=ev_user[order],
        username=ev_name[order],
        event_ts=ev_ts[order],
        event_type=ev_type[order],
        success=ev_success[order],
        failure_reason=ev_reason[order],
        ip_address=ev_ip[order],
        user_agent=ev_agent[order],
        application=ev_app[order],
    )
