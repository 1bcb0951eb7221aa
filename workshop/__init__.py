"""People, places and who may do what (the base every other app builds on; it imports none of them).

Owns workshops (工坊), partner firms (结对企业) and their production lines and pairings, workers (坊工) and
staff links, residents' wishes to work (``WorkWish``), each user's language (``Preference``,
``workshop.languages``); who a user is (``workshop.roles``: the one ``Scope`` and ``scope_for`` the
dashboard, the lists, the phone pages and the flow's permission checks read); signing workers in with
phone + PIN and the lockout (``workshop.auth``, ``workshop.lockout``); the validators (credit code, GB
11643 ID numbers, mobiles); the site's calendar days and months (``workshop.dates``); the demo workshop.
"""
