"""Personal data that only context reveals: birth dates, coordinates, names, user names, addresses."""

from __future__ import annotations

import datetime as _dt

import regex

from piiredact import _validators as v
from piiredact.rules import Rule


def birth_date_valid(value: str) -> bool:
    """A calendar date between 1900 and today, in ISO, US, European or compact form."""
    date = v.parse_date(value)
    return date is not None and _dt.date(1900, 1, 1) <= date <= _dt.date.today()


# Accounts that an operating system or a package creates identify no person; they stay
# readable. Names people create ("test", "guest", "jsmith") are not here: in a failed-login
# line the name is whatever was typed, sometimes a password.
SYSTEM_ACCOUNTS = frozenset(
    {
        "root",
        "admin",
        "administrator",
        "nobody",
        "daemon",
        "bin",
        "sys",
        "sync",
        "mail",
        "news",
        "postgres",
        "mysql",
        "www-data",
        "apache",
        "nginx",
        "httpd",
        "ftp",
        "sshd",
        "user",
        "ubuntu",
        "ec2-user",
        "centos",
        "git",
        "jenkins",
        "redis",
        "oracle",
        "cyrus",
        "operator",
        "games",
        "backup",
        "list",
        "irc",
        "gnats",
        "systemd-network",
        "unknown",
        "none",
        "null",
        "anonymous",
        "system",
        "local",
        "localhost",
        "invalid",
        "hadoop",
        "hdfs",
        "yarn",
        "mapred",
        "spark",
        "hive",
        "kafka",
        "zookeeper",
        "elasticsearch",
        "tomcat",
        "jboss",
        "wildfly",
        "rabbitmq",
        "mongodb",
        "memcache",
        "postfix",
        "dovecot",
        "systemd",
        "messagebus",
        "avahi",
        "polkitd",
        "chrony",
        "ntp",
        "vagrant",
        "docker",
    }
)


_LETTER = regex.compile(r"[^\W\d_]")
# Words that stand for no account at all, in any preset.
_NO_ACCOUNT = frozenset({"unknown", "none", "null", "invalid", "nobody"})


def account_name_valid(value: str) -> bool:
    """Any login name, system accounts included: has a letter, is not an address or a number."""
    return (
        _LETTER.search(value) is not None
        and value.lower() not in _NO_ACCOUNT
        and not value.startswith(("(", "[", "-"))
        and "=" not in value
    )


def username_valid(value: str) -> bool:
    """A plausible person's login name: an account name that is not a system account."""
    return value.lower() not in SYSTEM_ACCOUNTS and account_name_valid(value)


def keyed_account_name_valid(value: str) -> bool:
    """Under a user key, an account name that is not only digits (a numeric id)."""
    return not value.isdigit() and account_name_valid(value)


def keyed_username_valid(value: str) -> bool:
    """Under a user key, a person's login name that is not only digits (a numeric id)."""
    return not value.isdigit() and username_valid(value)


#: The ``strict`` preset reports every account name, system and service accounts too (``root``,
#: ``news``, ``admin``): an audit may want to know who logged in as what. Rule name to the
#: validator that replaces the default one.
STRICT_VALIDATORS = {
    "USERNAME_IN_MESSAGE": account_name_valid,
    "ACCESS_LOG_USER": account_name_valid,
    "USERNAME_VALUE": keyed_account_name_valid,
}


def _looks_like_street(value: str) -> bool:
    """Several words, one of them a number and one a word of three or more letters."""
    words = value.split()
    return (
        len(words) >= 2
        and any(c.isdigit() for c in value)
        and any(len(w) >= 3 and w.isalpha() for w in words)
        and not value.startswith("0x")
    )


_MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")

RULES: tuple[Rule, ...] = (
    Rule(
        name="DATE_OF_BIRTH",
        category="personal",
        pattern=r"""
            (?<![\w.:/-])
            (?:\d{4}-\d{2}-\d{2}|\d{1,2}[./-]\d{1,2}[./-]\d{4}|\d{4}/\d{2}/\d{2}|(?:19|20)\d{6})
            (?![\w]|[.:/-]\d)
        """,
        validator=birth_date_valid,
        context=("dob", "birth", "born", "geburt", "naissance", "nacimiento", "nascita"),
        keys=(
            "dob",
            "birth",
            "birthday",
            "birthdate",
            "born",
            "geburtsdatum",
            "nacimiento",
            "nascita",
            "naissance",
        ),
        context_window=32,
        priority=4,
        description="Date of birth: a date next to a birth cue",
    ),
    Rule(
        name="GEO_COORD",
        category="location",
        # A latitude, longitude pair written as decimal degrees with at least 3 decimals.
        pattern=r"""
            (?<![\w.-])
            (?P<value>-?(?:[1-8]?\d|90)\.\d{3,8})[ ]?,[ ]?(?P<value2>-?(?:1[0-7]\d|\d{1,2}|180)\.\d{3,8})
            (?![\w.])
        """,
        context=(
            "location",
            "located",
            "position",
            "coordinates",
            "coords",
            "geo",
            "gps",
            "^lat",
            "latlng",
            "^near",
            "nearest",
            "^where",
        ),
        keys=(
            "latlng",
            "lat_lng",
            "latlon",
            "lat_lon",
            "coordinates",
            "coords",
            "geo",
            "location",
            "geolocation",
            "position",
            "gps",
        ),
        context_window=60,
        priority=4,
        description="Geographic coordinates (decimal latitude, longitude pair) next to a location cue",
    ),
    Rule(
        name="USERNAME_IN_MESSAGE",
        kind="USERNAME",
        category="personal",
        # Log phrases of sshd, PAM, su and sudo: "Failed password for invalid user X from",
        # "session opened for user X", "Invalid user X from", "sudo: X : TTY=...".
        pattern=r"""
            (?i:(?:for|invalid|illegal|unknown)[ ]user|(?:password|publickey)[ ]for(?:[ ]invalid[ ]user)?)
            [ ](?P<value>[\w][\w.@+-]{0,63}+)(?![\w.@+-]|\()
            |(?i:user)[ ](?P<value>[\w][\w.@+-]{0,63}+)[ ]                # user X logged in
              (?=(?i:logged|signed|log(?:s|ged)?[ ]?(?:in|out|on|off)|authenticated|registered
                 |connected|disconnected|locked|unlocked|created|deleted|removed|added|updated
                 |changed|failed|succeeded|verified|banned|blocked|invited|joined|left)\b)
            |sudo:[ ]{1,2}(?P<value>[\w][\w.-]{0,31}+)(?=[ ]:)
        """,
        triggers=(
            "for user ",
            "invalid user ",
            "illegal user ",
            "unknown user ",
            "password for ",
            "publickey for ",
            "sudo: ",
            "user ",
        ),
        anchored=True,
        validator=username_valid,
        priority=2,
        description="User name in sshd, PAM, su and sudo messages",
    ),
    Rule(
        name="ACCESS_LOG_USER",
        kind="USERNAME",
        category="personal",
        # NCSA common/combined log format: host ident authuser [dd/Mon/yyyy:hh:mm:ss zone].
        pattern=r"""
            (?<![\S])\S{1,64}+[ ]\S{1,64}+[ ](?P<value>[^\s\[\]"]{1,64}+)
            [ ]\[\d{2}/[A-Za-z]{3}/\d{4}:
        """,
        triggers=tuple(f"/{month}/" for month in _MONTHS),
        window=(200, 16),
        validator=username_valid,
        priority=2,
        description="Authenticated user field of an Apache/Nginx access-log line",
    ),
    Rule(
        name="STREET_ADDRESS_IN_MESSAGE",
        kind="STREET_ADDRESS",
        category="location",
        # A free-text address right after an address cue ("shipping label created for ...").
        pattern=r"""
            (?i:address|shipping[ ]label[ ]created[ ]for|ship[ ]to|deliver(?:y|ed)?[ ]to|billing)
            (?=[^|\n]{0,160}?\d)                                        # a house number follows
            (?:[ ][\p{L}]{2,20}+){0,3}[:]?[ ]['"]?                     # "address verification failed:"
            (?P<value>[\p{L}\d][\p{L}\p{M}\d.,'/()-]*+                  # words up to the next key=
              (?:[ ](?![\w.]++[=:])[\p{L}\p{M}\d.,'/()-]++){1,12}+)
        """,
        triggers=("address", "shipping label", "ship to", "deliver", "billing"),
        anchored=True,
        validator=_looks_like_street,
        priority=2,
        description="Street address after an address cue in a message",
    ),
    Rule(
        name="PASSPORT_MRZ_NAME",
        kind="PERSON",
        category="personal",
        # ICAO Doc 9303 TD3 line 1: P<ISSUER SURNAME<<GIVEN<NAMES<<<<.
        pattern=r"(?<![\w<])P[A-Z<][A-Z<]{3}(?P<value>[A-Z]+<<?[A-Z<]{2,38})(?![\w<])",
        triggers=("p<",),
        anchored=True,
        priority=3,
        description="Holder's name in the first line of a passport machine-readable zone",
    ),
)

# Words after which a capitalized name is a person's: "ticket assigned to Jane Doe",
# "welcome email queued for 赵淑兰", "KYC approved: Jack Johnson".
_PERSON_CUES = (
    "assigned to",
    "queued for",
    "approved:",
    "customer",
    "patient",
    "employee",
    "recipient",
    "sender",
    "welcome",
    "dear",
    "hello",
    "signed by",
    "approved by",
    "requested by",
    "invited",
    "referred by",
    "on behalf of",
    "cardholder",
    "beneficiary",
    "payee",
    "applicant",
    "passenger",
)

RULES = (
    *RULES,
    Rule(
        name="PERSON_IN_MESSAGE",
        kind="PERSON",
        category="personal",
        # Two to four capitalized words of any alphabet, or two to four Han characters.
        pattern=r"""
            (?<![\w'’-])
            (?P<value>\p{Lu}[\p{Ll}\p{Lm}\p{M}'’-]++(?:[ ]\p{Lu}[\p{Ll}\p{Lm}\p{M}'’-]++){1,3}+
              |\p{Han}{2,4}+)
            (?![\w'’-])
        """,
        context=_PERSON_CUES,
        context_window=3,
        priority=2,
        description="A person's name right after a cue such as 'assigned to' or 'customer'",
    ),
    Rule(
        name="PASSWORD_IN_MESSAGE",
        kind="PASSWORD",
        category="credential",
        # "temporary password X", "password reset to X": the next token, if it is not a word.
        pattern=r"""
            (?i:pass(?:word|wd|phrase|code))(?:[ ](?i:is|was|set|reset|changed|to|now)){0,2}[:]?[ ]
            (?P<value>[^\s"'<>]{6,128}+)
        """,
        triggers=("password ", "passwd ", "passphrase ", "passcode ", "password: "),
        anchored=True,
        validator=lambda value: not value.isalpha() and not value.startswith(("[", "(")),
        priority=2,
        description="A password written out in a message ('temporary password X')",
    ),
)
