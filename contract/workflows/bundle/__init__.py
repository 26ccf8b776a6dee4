"""Air-gapped install kits: `build` packs one, `verify` proves one offline.

    build.py       the layout, lists of images and models, manifest, SHA256SUMS, signing
    verify.py      checksums, completeness, signature, re-render
    archive.py     reproducible tar.gz and directory output; safe, streaming reading
    wheelhouse.py  this tool and its dependencies as hashed wheels for the target
    signing.py     OpenSSH signatures via ssh-keygen -Y
    command.py     `bundle` and `bundle verify` as one call each, returning an outcome

Imported only by `install-contract bundle`; `validate` never pays for it.
"""
