"""People and agencies: accounts, the tree of agencies, who may do what, and signing in.

Owns agencies and their tree (``agencies``, ``agencytree``, ``units``), people and their roles (``users``,
``accounts``, ``invitations``), the rules of who reads and acts on what (``permissions``), API tokens
(``tokens``), guesses counted (``throttle``), the second factor (``secondfactor``, ``passkeys``), single
sign-on's accounts and settings (``signin``, ``signinsettings``).
Offers the others ``permissions.*`` (every service asks it) and the agency tree.

Imports the foundation and ``workflow.channels`` (an invitation is an e-mail).
"""
