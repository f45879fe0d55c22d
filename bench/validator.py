"""Validator throughput for a 30-attribute Klass on one core (target ≥ 20,000 payloads/s).

.venv/bin/python bench/validator.py
"""

import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from klasses.schema import compile_validator, normalize_definitions  # noqa: E402

RAW = {
    "orderNumberStr": {"required": True, "maxLength": 40},
    "statusStr": {"enum": ["placed", "paid", "shipped", "delivered", "returned"]},
    "currencyStr": {"enum": ["USD", "EUR", "GBP", "JPY"]},
    "channelStr": {},
    "couponStr": {"maxLength": 20},
    "notesTxt": {},
    "giftMessageTxt": {"maxLength": 500},
    "totalNum": {"min": 0},
    "subtotalNum": {"min": 0},
    "taxNum": {"min": 0},
    "shippingNum": {"min": 0, "max": 1000},
    "itemCountNum": {"min": 0},
    "discountNum": {},
    "placedAt": {"required": True},
    "paidAt": {},
    "shippedAt": {},
    "deliveredAt": {},
    "giftBool": {},
    "expressBool": {},
    "paidBool": {},
    "trackingUrl": {},
    "receiptUrl": {},
    "warehouseId": {},
    "paymentId": {},
    "itemsObj": {"properties": {"sku": {"type": "Str"}, "qty": {"type": "Num"}}},
    "addressObj": {},
    "categoryTree": {
        "tree": {
            "nodes": [
                {"id": "hardware", "children": [{"id": "laptops", "children": [{"id": "mac"}]}]},
                {"id": "software"},
            ],
            "lastNodeRequired": True,
        }
    },
    "labelsStr": {"array": True},
    "sizesStr": {"enum": ["S", "M", "L", "XL"], "multi": True},
    "scoresNum": {"array": True, "min": 0, "max": 10},
}

PAYLOAD = {
    "orderNumberStr": "A-10023",
    "statusStr": "shipped",
    "currencyStr": "USD",
    "channelStr": "web",
    "couponStr": "WINTER",
    "notesTxt": "Leave at the door, please.",
    "giftMessageTxt": "Happy birthday!",
    "totalNum": 129.5,
    "subtotalNum": 110,
    "taxNum": 9.5,
    "shippingNum": 10,
    "itemCountNum": 3,
    "discountNum": -5,
    "placedAt": "2026-11-01T10:00:00Z",
    "paidAt": "2026-11-01T10:01:00+01:00",
    "shippedAt": "2026-11-02",
    "deliveredAt": None,
    "giftBool": True,
    "expressBool": False,
    "paidBool": True,
    "trackingUrl": "https://track.example.com/t/1Z999",
    "receiptUrl": "https://shop.example.com/r/10023",
    "warehouseId": 42,
    "paymentId": "pay_9f8e7d",
    "itemsObj": {"sku": "TSHIRT-M", "qty": 3},
    "addressObj": {"city": "Lisbon", "zip": "1100-001"},
    "categoryTree": "hardware.laptops.mac",
    "labelsStr": ["priority", "gift"],
    "sizesStr": ["M", "L"],
    "scoresNum": [7, 9],
}


def main(seconds=3.0):
    if hasattr(os, "sched_setaffinity"):
        # one core, as the target says, whatever else the machine is doing
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})
    definitions, errors = normalize_definitions(RAW)
    assert not errors, errors
    validator = compile_validator(definitions)
    result = validator.validate(PAYLOAD, creating=True)
    assert not result.errors, result.errors
    assert validator.validate(result.cleaned).cleaned == result.cleaned
    n, start = 0, time.perf_counter()
    while time.perf_counter() - start < seconds:
        for _ in range(1000):
            validator.validate(PAYLOAD)
        n += 1000
    elapsed = time.perf_counter() - start
    rate = n / elapsed
    print(
        f"validator: {len(definitions)} attributes, {rate:,.0f} payloads/s on one core "
        f"({elapsed / n * 1e6:.1f} µs each; target >= 20,000/s) -> "
        f"{'PASS' if rate >= 20000 else 'FAIL'}"
    )
    return 0 if rate >= 20000 else 1


if __name__ == "__main__":
    sys.exit(main())
