"""Write ``demo/data/forecasts_beijing_2016-12_illustrative.csv``: an ILLUSTRATIVE forecast file for the demo.

No public per-city AQI forecast file of the winter 2016–17 was found, so this is not a published forecast: it is
a hindsight "forecast" made from observations. For each CST day of the two red-alert episodes in the UCI sample
(2016-12-16..21 and 2016-12-30..2017-01-07, see ../shared/data/README.md) the range ``aqi_low..aqi_high`` is the
lowest and highest daily AQI (HJ 633-2012) of the 12 UCI Beijing sites that day, as the platform computes it
from ``demo/data/PRSA_Data_*``; ``issued_at`` is 16:00 CST two days before the first day listed. It exists so that
the demo's warning pages and recommendation have an input; it must never be read as what forecasters said.

Run: ``.venv/bin/python demo/make_forecasts.py`` (writes the file; takes about a minute).
"""

from __future__ import annotations

import tempfile
from datetime import date, timedelta
from pathlib import Path

from xietong.air import service
from xietong.air.reports import AqiRequest, Level, ReportKind, aqi_table
from xietong.config import Settings
from xietong.exchange.bootstrap import open_store, operator

HERE = Path(__file__).parent
OUT = HERE / "data" / "forecasts_beijing_2016-12_illustrative.csv"
EPISODES = [(date(2016, 12, 15), date(2016, 12, 22), "2016-12-13T16:00+08:00"),
            (date(2016, 12, 29), date(2017, 1, 8), "2016-12-27T16:00+08:00")]  # fmt: skip


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        store = open_store(Settings.from_env({}, data_dir=Path(tmp)))
        service.ingest_files(store, operator(store), sorted((HERE / "data").glob("PRSA_Data_*.csv.gz")))
        lines = ["city,issued_at,date,aqi_low,aqi_high,primary"]
        for first, last, issued in EPISODES:
            request = AqiRequest(Level.STATION, ReportKind.DAILY, first, last, cities=("北京",))
            table = aqi_table(store, operator(store), request).dropna(subset=["aqi"])
            day = first
            while day <= last:
                rows = table[table["time"].dt.tz_convert("Asia/Shanghai").dt.date == day]
                if len(rows):
                    primary = rows["primary"].astype(str).mode().iloc[0]
                    lines.append(f"北京,{issued},{day},{int(rows['aqi'].min())},{int(rows['aqi'].max())},{primary}")
                day += timedelta(days=1)
        store.dispose()
    OUT.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"wrote {OUT} ({len(lines) - 1} rows)")


if __name__ == "__main__":
    main()
