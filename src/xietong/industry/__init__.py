"""Industrial cooperation and technology transfer (I1, I2): the pure core.

Modules: :mod:`gbt4754` (industry codes), :mod:`panel` and :mod:`structure` (economic structure),
:mod:`sharing` (tax and output sharing rules), :mod:`siting` (ranking candidate parks),
:mod:`techtransfer` (technology contracts), :mod:`parks` (the parks seed, name matching, imports) and
:mod:`projects` (the relocation stage machine). None of them reads the store or another domain: the
indicators the siting needs (travel times, PM2.5, warning days, water class) come in as values.
See docs/industry.md.
"""
