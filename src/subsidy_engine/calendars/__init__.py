"""Bundled working-day calendars, one YAML file per calendar (`cn.yaml`: the PRC calendar).

The files are plain data read by `subsidy_engine.workdays.WorkingDayCalendar.bundled`.
"""
