"""Synthetic, valid data at any size, for the benchmark and scale tests.

Deterministic for a given seed: N stations spread over Shanxi's eleven cities,
with realistic Chinese names, addresses, hours and amenities, plus services,
stories, volunteer teams and projects in proportion. Everything is marked as
sample data. The shipped site settings and vocabularies are reused, with the
map bounds widened to the province.
"""

from __future__ import annotations

import datetime as dt
import random
import shutil
from pathlib import Path

import yaml

# (city, centre latitude, centre longitude) — prefecture-level cities of Shanxi.
CITIES = [
    ("太原市", 37.870, 112.549), ("大同市", 40.077, 113.300), ("阳泉市", 37.857, 113.580),
    ("长治市", 36.195, 113.117), ("晋城市", 35.491, 112.852), ("朔州市", 39.332, 112.433),
    ("晋中市", 37.687, 112.753), ("运城市", 35.026, 111.007), ("忻州市", 38.416, 112.734),
    ("临汾市", 36.088, 111.519), ("吕梁市", 37.519, 111.144),
]
PROVINCE_BOUNDS = {"south": 34.5, "west": 110.2, "north": 40.8, "east": 114.6}
STREETS = ["长征街", "和平街", "七一路", "建设路", "新建路", "迎泽大街", "解放路", "府西街", "中山路", "人民路",
           "南环路", "北环路", "文化路", "体育路", "胜利街", "学府街", "朝阳街", "公园路", "滨河路", "开发区大道"]
PLACES = ["快递网点", "加油站", "社区", "商圈", "物流园", "公园", "银行网点", "便利店", "医院", "商场"]
WEEKDAYS = ["mo", "tu", "we", "th", "fr"]
ALL_DAYS = [*WEEKDAYS, "sa", "su"]


def _hours(rng: random.Random) -> dict:
    pattern = rng.random()
    if pattern < 0.15:
        return {"open_24h": True}
    if pattern < 0.55:
        return {"weekly": [{"days": ALL_DAYS, "periods": [rng.choice(["07:00-22:00", "08:00-20:00", "06:30-21:30"])]}]}
    if pattern < 0.85:
        return {"weekly": [{"days": WEEKDAYS, "periods": ["08:30-12:00", "14:30-18:30"]},
                           {"days": ["sa", "su"], "periods": ["09:00-17:00"]}]}
    return {"weekly": [{"days": ALL_DAYS, "periods": ["18:00-02:00"]}],
            "exceptions": [{"date": "2027-02-16", "until": "2027-02-22", "closed": True, "note": "春节休息"}]}


def write_synthetic_data(source: Path, target: Path, stations: int, seed: int = 1) -> None:
    """Write a complete data folder with ``stations`` stations into ``target``."""
    rng = random.Random(seed)
    if target.exists():
        shutil.rmtree(target)
    (target / "stations").mkdir(parents=True)
    (target / "services").mkdir()
    (target / "stories").mkdir()
    (target / "volunteer").mkdir()
    shutil.copy(source / "vocabularies.yaml", target / "vocabularies.yaml")

    settings = yaml.safe_load((source / "site.yaml").read_text(encoding="utf-8"))
    settings["district"] = "山西省（合成测试数据）"
    settings["map"]["bounds"] = PROVINCE_BOUNDS
    settings["map"]["center"] = {"lat": 37.6, "lng": 112.4}
    settings["map"]["zoom"] = 7
    _dump(target / "site.yaml", settings)

    vocab = yaml.safe_load((source / "vocabularies.yaml").read_text(encoding="utf-8"))
    amenities = list(vocab["amenities"])
    organisations = [{"id": f"org-{i:03d}", "name": f"{city}新就业群体服务站点管理单位", "kind": "社区", "sample": True,
                      "phone": {"number": f"0351-0000{i:03d}"}} for i, (city, _, _) in enumerate(CITIES)]
    organisations.append({"id": "xinfu-union", "name": "合成数据总工会", "kind": "工会", "sample": True})
    _dump(target / "organisations.yaml", organisations)

    verified = dt.date(2026, 1, 1)
    station_ids = []
    for index in range(stations):
        city_index = index % len(CITIES)
        city, lat, lng = CITIES[city_index]
        street = rng.choice(STREETS)
        kind = "center" if index < len(CITIES) else ("nuanxin" if rng.random() < 0.1 else "xiaoge")
        place = rng.choice(PLACES)
        station_id = f"s{index:06d}"
        station_ids.append(station_id)
        record = {
            "id": station_id,
            "name": f"{city[:-1]}{street}{place}{'暖新驿站' if kind == 'nuanxin' else '小哥驿站'}"
            if kind != "center" else f"{city[:-1]}新就业群体党群服务中心",
            "type": kind,
            "address": f"山西省{city}{street}{rng.randint(1, 399)}号",
            "street": f"{street[:2]}街道",
            "location": {"lat": round(lat + rng.gauss(0, 0.04), 5), "lng": round(lng + rng.gauss(0, 0.05), 5)},
            "hours": _hours(rng),
            "amenities": ["rest", "water", *sorted(rng.sample(amenities[2:], rng.randint(1, 6)),
                                                   key=amenities.index)],
            "organisation": f"org-{city_index:03d}",
            "verified": (verified + dt.timedelta(days=rng.randint(0, 300))).isoformat(),
            "sample": True,
        }
        _dump(target / "stations" / f"{station_id}.yaml", record)

    kinds = list(vocab["service_kinds"])
    for index in range(max(3, stations // 20)):
        kind = kinds[index % len(kinds)]
        _dump(target / "services" / f"service-{index:05d}.yaml", {
            "id": f"service-{index:05d}", "name": f"{vocab['service_kinds'][kind]['label']}（第 {index + 1} 期）",
            "kind": kind, "summary": "为新就业群体提供的示例服务。",
            "eligibility": "快递员、外卖骑手、网约车和货车司机",
            "cost": "免费", "stations": sorted(rng.sample(station_ids, min(3, len(station_ids)))),
            "provider": "xinfu-union", "verified": "2026-03-01", "sample": True,
            "schedule": [{"freq": "monthly", "days": ["we"], "week_of_month": [2], "periods": ["09:00-11:30"]}],
        })

    projects = [{"id": f"project-{i:02d}", "name": f"示例志愿项目 {i + 1}", "summary": "示例项目。",
                 "activities": "走街串巷时顺手帮助居民。", "beneficiaries": "社区居民", "how_to_join": "联系所在社区。",
                 "organiser": "xinfu-union", "people_served": rng.randint(100, 3000), "sample": True}
                for i in range(12)]
    _dump(target / "volunteer" / "projects.yaml", projects)
    teams = [{"id": f"team-{i:04d}", "name": f"示例志愿服务队 {i + 1}", "projects": [f"project-{i % 12:02d}"],
              "members": rng.randint(5, 60), "organisation": "xinfu-union", "sample": True}
             for i in range(max(1, stations // 50))]
    _dump(target / "volunteer" / "teams.yaml", teams)
    _dump(target / "statements.yaml", yaml.safe_load((source / "statements.yaml").read_text(encoding="utf-8")))

    categories = list(vocab["story_categories"])
    for index in range(max(5, stations // 50)):
        day = dt.date(2025, 1, 1) + dt.timedelta(days=index % 600)
        _dump(target / "stories" / f"story-{index:05d}.yaml", {
            "id": f"story-{index:05d}", "title": f"示例动态 {index + 1}：驿站服务小记", "date": day.isoformat(),
            "summary": "合成的示例动态，用于性能测试。", "body": "骑手在驿站歇脚、喝水、充电。\n\n这是合成数据。",
            "category": categories[index % len(categories)], "tags": ["示例"], "sample": True,
        })


def _dump(path: Path, data: object) -> None:
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=1000), encoding="utf-8")
