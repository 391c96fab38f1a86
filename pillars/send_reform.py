"""The SEND reform framework (England), as loaded by the data migration.

Kept as plain data so the migration and the tests read the same source.
"""

NAME = "Reform of the SEND system in England"
SLUG = "send-reform"
DESCRIPTION = (
    "Two pillars and eight recommendations for reforming support for children and young "
    "people with special educational needs and disabilities (SEND) in England. The two "
    "pillars depend on each other and must move in tandem: if support capacity weakens, "
    "families lean harder on the statutory route."
)
SOURCES = (
    "Isos Partnership for the Local Government Association, 'Reform of the SEND system: "
    "What might the next stage look like and how can we build consensus?' (2025 addendum, "
    "LGA reference 15.153). Isos Partnership for the LGA and the County Councils Network, "
    "'Towards an effective and financially sustainable approach to SEND in England' "
    "(July 2024). Recommendation titles as published in a public summary of the report "
    "(Down's Syndrome Association, 19 November 2024); summaries from public responses "
    "(Coram, Law Society Gazette). The grouping of recommendations into pillars is a "
    "provisional reading: no source we could read publishes it."
)

PILLARS = [
    {
        "number": 1,
        "title": "Support capacity",
        "summary": (
            "The values, culture, practice and capacity of the system to support children "
            "and young people: inclusive mainstream settings, targeted and specialist "
            "services, the workforce, early years and joint working."
        ),
        "easy_read": (
            "Schools, nurseries, colleges and health services have the people and skills "
            "to help every child who needs it."
        ),
    },
    {
        "number": 2,
        "title": "Legislative framework",
        "summary": (
            "The legal rules and parameters of the system: statutory plans (EHCPs), "
            "entitlements, accountability and routes of redress."
        ),
        "easy_read": (
            "The laws about help for children with SEND: plans, what families have a right "
            "to, who is in charge, and what happens when people disagree."
        ),
    },
]

RECOMMENDATIONS = [
    {
        "number": 1,
        "pillar": 1,
        "title": "National government should set out a new national ambition",
        "summary": "A shared national vision for children and young people with SEND.",
        "easy_read": "The government says clearly what good help for every child looks like.",
    },
    {
        "number": 2,
        "pillar": 2,
        "title": "Create a National Framework that describes types and levels of needs",
        "summary": (
            "Clarity on the needs to be met in mainstream settings and what is "
            "'ordinarily available'."
        ),
        "easy_read": (
            "One clear list of the kinds of needs children have, and the help every school "
            "should give."
        ),
    },
    {
        "number": 3,
        "pillar": 1,
        "title": (
            "Put in place measures to enable inclusive practice in mainstream education settings"
        ),
        "summary": (
            "Includes a 'core offer' of targeted multi-disciplinary support that settings can "
            "draw on without a statutory plan."
        ),
        "easy_read": (
            "Ordinary schools get the help they need to include every child, without waiting "
            "for a plan."
        ),
    },
    {
        "number": 4,
        "pillar": 2,
        "title": "Reform elements of the SEND statutory framework",
        "summary": ("Includes new independent, non-judicial ways of resolving disagreements."),
        "easy_read": (
            "Change some of the SEND laws, and find fairer, quicker ways to sort out "
            "disagreements without going to court."
        ),
    },
    {
        "number": 5,
        "pillar": 1,
        "title": "Create a new Destinations and Progression Service in each local area",
        "summary": "Support for young people moving on to further study, work and adult life.",
        "easy_read": "Every area has a service that helps young people plan what comes next.",
    },
    {
        "number": 6,
        "pillar": 2,
        "title": (
            "Reconfigure the role of partners so they are coherent and give a robust "
            "foundation for joint working"
        ),
        "summary": (
            "Local inclusion partnerships (local authority, health, education, parent carer "
            "forum) with statutory powers and joint funding."
        ),
        "easy_read": (
            "Councils, health services, schools and parents work together, share money and "
            "share the decisions."
        ),
    },
    {
        "number": 7,
        "pillar": 2,
        "title": (
            "Articulate a new, more strategic relationship between the state and the "
            "independent sector"
        ),
        "summary": (
            "Use the independent sector for highly specialist provision, with equivalent "
            "standards and funding."
        ),
        "easy_read": (
            "Private and charity schools are used for children with very specialist needs, "
            "with the same rules and fair funding."
        ),
    },
    {
        "number": 8,
        "pillar": 1,
        "title": "Recommendation 8",
        "summary": (
            "The wording of this recommendation is not in any source we could read. "
            "Facilitators: please complete it before the workshop."
        ),
        "easy_read": "",
        "needs_completion": True,
    },
]


def load(framework_model, pillar_model, recommendation_model, organisation=None):
    """Create the framework for `organisation`; takes the models as arguments so a migration
    can pass its own (there, before organisations, with none)."""
    owner = {} if organisation is None else {"organisation": organisation}
    framework, _ = framework_model.objects.get_or_create(
        slug=SLUG, **owner, defaults={"name": NAME, "description": DESCRIPTION, "sources": SOURCES}
    )
    pillars = {}
    for data in PILLARS:
        pillars[data["number"]], _ = pillar_model.objects.get_or_create(
            framework=framework,
            number=data["number"],
            defaults={k: v for k, v in data.items() if k != "number"},
        )
    for data in RECOMMENDATIONS:
        fields = {k: v for k, v in data.items() if k not in ("number", "pillar")}
        if not recommendation_model.objects.filter(
            pillar__framework=framework, number=data["number"]
        ).exists():
            recommendation_model.objects.create(
                pillar=pillars[data["pillar"]], number=data["number"], **fields
            )
    return framework
