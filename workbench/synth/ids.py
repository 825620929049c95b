"""Identifiers shaped like AWS's, drawn from a seeded `random.Random` so a seed reproduces them.

Background and attacker IP addresses come from disjoint pools, so an attacker address can never
collide with a benign one: background uses residential/ISP-looking first octets and CI runners use
cloud-provider-looking ones, while attackers use the documentation ranges (RFC 5737) and a few other
public-looking blocks nobody in the organisation uses.
"""

from __future__ import annotations

import random
import uuid

_B32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
_ALNUM = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"

# First octets for benign internet hosts (customers, employees at home, background scanners).
BENIGN_FIRST_OCTETS = (24, 50, 66, 67, 68, 69, 71, 73, 75, 76, 96, 98, 99, 107, 108, 173, 174)
# First octets for CI runners (a hosted-runner fleet's NAT addresses).
CI_FIRST_OCTETS = (4, 20)
# Attacker space: the three documentation /24s plus public-looking blocks unused by background.
ATTACKER_PREFIXES = ("192.0.2", "198.51.100", "203.0.113")
ATTACKER_FIRST_OCTETS = (5, 45, 91, 185, 193, 194)


def uid(rng: random.Random) -> str:
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))


def hexid(rng: random.Random, n: int) -> str:
    return f"{rng.getrandbits(4 * n):0{n}x}"


def b32(rng: random.Random, n: int) -> str:
    return "".join(rng.choices(_B32, k=n))


def alnum(rng: random.Random, n: int) -> str:
    return "".join(rng.choices(_ALNUM, k=n))


def access_key_id(rng: random.Random, temporary: bool = False) -> str:
    """AKIA… for an IAM user's long-term key, ASIA… for STS session credentials."""
    return ("ASIA" if temporary else "AKIA") + b32(rng, 16)


def principal_id(rng: random.Random, prefix: str) -> str:
    """AIDA… (user) or AROA… (role) unique ids."""
    return prefix + b32(rng, 17)


def account_id(rng: random.Random) -> str:
    return str(rng.randrange(10**11, 10**12))


def resource_id(rng: random.Random, prefix: str) -> str:
    """EC2-style ids: i-…, eni-…, vpc-…, subnet-…, sg-…, fl-… (17 hex digits)."""
    return f"{prefix}-{hexid(rng, 17)}"


def s3_request_id(rng: random.Random) -> str:
    return hexid(rng, 16).upper()


def benign_ip(rng: random.Random) -> str:
    return (f"{rng.choice(BENIGN_FIRST_OCTETS)}.{rng.randrange(0, 256)}."
            f"{rng.randrange(0, 256)}.{rng.randrange(1, 255)}")


def ci_ip(rng: random.Random) -> str:
    return f"{rng.choice(CI_FIRST_OCTETS)}.{rng.randrange(0, 256)}.{rng.randrange(0, 256)}.{rng.randrange(1, 255)}"


def is_attacker_space(ip: str) -> bool:
    first = ip.split(".", 1)[0]
    return ip.rsplit(".", 1)[0] in ATTACKER_PREFIXES or int(first) in ATTACKER_FIRST_OCTETS


class AttackerIPs:
    """Hands out distinct attacker addresses, so two scenarios never share one by accident."""

    def __init__(self, rng: random.Random, used: set[str] | None = None) -> None:
        self._rng = rng
        self._used = used if used is not None else set()

    def take(self) -> str:
        while True:
            if self._rng.random() < 0.5:
                ip = f"{self._rng.choice(ATTACKER_PREFIXES)}.{self._rng.randrange(1, 255)}"
            else:
                ip = (f"{self._rng.choice(ATTACKER_FIRST_OCTETS)}.{self._rng.randrange(0, 256)}."
                      f"{self._rng.randrange(0, 256)}.{self._rng.randrange(1, 255)}")
            if ip not in self._used:
                self._used.add(ip)
                return ip
