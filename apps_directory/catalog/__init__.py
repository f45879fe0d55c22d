"""The apps directory: versioned app manifests shipped in the code base (`manifests/`), what an
install of one created (`models`), and install, upgrade, deactivate, reactivate and uninstall
(`services`). Each kind of feature an app may create (Klass, KView, hook, workflow, outbound
webhook) is done by the existing service of the app that owns it (`kinds`)."""
