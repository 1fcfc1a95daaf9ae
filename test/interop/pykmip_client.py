#!/usr/bin/python3
"""Interop check: drive a KMIP server with PyKMIP's client (Debian python3-pykmip 0.10).

Run with the system interpreter, which has PyKMIP:

    /usr/bin/python3 test/interop/pykmip_client.py --host 127.0.0.1 --port 5696 \
        --cert client.crt --key client.key --ca ca.crt --version 1.4

Prints one JSON line per step, {"step": ..., "ok": true|false, "detail": ...}, and exits 0 only if
every step passed (1 otherwise, 2 if the connection could not be opened).

Sequence: create AES-256 (Get returns 32 bytes); Get Attributes; Get Attribute List; Activate;
Locate by Name; Register Secret Data, Opaque Object and Symmetric Key with known bytes and Get
them back identical; Modify and Delete an attribute (Name); Revoke; Destroy, after which Get fails
with Item Not Found; finally Destroy of the registered objects (clean-up).

TLS with PyKMIP 0.10 under OpenSSL 3 / Python 3.11 (what was found to work):
  * The client builds its socket with ssl.wrap_socket(ssl_version=..., cert_reqs=CERT_REQUIRED,
    ca_certs=...). It verifies the server chain against --ca but never checks the host name.
  * ssl_version must name a constant of the ssl module. "PROTOCOL_TLS" (the default here, same as
    PyKMIP's default PROTOCOL_SSLv23) negotiates TLS 1.2 or 1.3. "PROTOCOL_TLSv1_2" pins TLS 1.2
    (deprecated alias, still works). "PROTOCOL_TLS_CLIENT" does NOT work: it turns on
    check_hostname and wrap_socket passes no server_hostname ("check_hostname requires
    server_hostname"). PyKMIP's "Basic" suite means TLS 1.0, which OpenSSL 3 refuses.
  * Passing every setting as a constructor argument avoids PyKMIP's client config file
    (/etc/pykmip/pykmip.conf); no config file is needed.
  * ssl.wrap_socket is gone in Python 3.12: this script (and PyKMIP 0.10) needs Python <= 3.11.
  * The server side (pykmip-server) needs auth_suite=TLS1.2 in its config; see
    conformance/pykmip-dev-server.sh and docs/CONFORMANCE-RUNNER.md.
"""
import argparse
import json
import logging
import os
import sys
import uuid
import warnings

warnings.filterwarnings("ignore")  # ssl.wrap_socket and cryptography deprecation noise

from kmip import enums  # noqa: E402
from kmip.core import exceptions as core_exceptions  # noqa: E402
from kmip.core import objects as cobjects  # noqa: E402
from kmip.core.factories import attributes as attribute_factories  # noqa: E402
from kmip.pie import client as pie_client  # noqa: E402
from kmip.pie import exceptions as pie_exceptions  # noqa: E402
from kmip.pie import objects  # noqa: E402

VERSIONS = {
    "1.2": enums.KMIPVersion.KMIP_1_2,
    "1.4": enums.KMIPVersion.KMIP_1_4,
    "2.0": enums.KMIPVersion.KMIP_2_0,
}

ATTRS = attribute_factories.AttributeFactory()


class Steps(object):
    """Runs named steps, printing one JSON line each; remembers whether all passed."""

    def __init__(self):
        self.all_ok = True

    def report(self, step, ok, detail):
        self.all_ok = self.all_ok and ok
        print(json.dumps({"step": step, "ok": ok, "detail": detail}, default=str), flush=True)

    def run(self, step, fn, *needs):
        """fn() returns (ok, detail, value); a missing prerequisite skips (and fails) the step."""
        if any(n is None for n in needs):
            self.report(step, False, "skipped: an earlier step it depends on failed")
            return None
        try:
            ok, detail, value = fn()
        except Exception as e:  # noqa: BLE001 - every failure is reported, none aborts the run
            self.report(step, False, describe_error(e))
            return None
        self.report(step, ok, detail)
        return value if ok else None


def describe_error(e):
    if isinstance(e, pie_exceptions.KmipOperationFailure):
        return {"status": str(e.status), "reason": str(e.reason), "message": str(e.message)}
    return "{}: {}".format(type(e).__name__, e)


def reason_of(e):
    return getattr(e, "reason", None)


def attribute_map(attributes):
    """A GetAttributes result as {name: [values]} (1.x Attribute objects)."""
    out = {}
    for a in attributes or []:
        name = a.attribute_name.value
        value = a.attribute_value
        out.setdefault(name, []).append(getattr(value, "value", value))
    return out


def run_sequence(client, version, steps):
    v2 = version == "2.0"
    tag = uuid.uuid4().hex[:12]
    key_name = "interop-aes-" + tag

    def create():
        uid = client.create(enums.CryptographicAlgorithm.AES, 256, name=key_name,
                            cryptographic_usage_mask=[enums.CryptographicUsageMask.ENCRYPT,
                                                      enums.CryptographicUsageMask.DECRYPT])
        return True, {"uid": uid}, uid
    uid = steps.run("create_aes256", create)

    def get_key():
        key = client.get(uid)
        n = len(key.value)
        return n == 32, {"object_type": str(key.object_type), "bytes": n}, key
    steps.run("get_key_32_bytes", get_key, uid)

    def get_attributes():
        got_uid, attrs = client.get_attributes(uid)
        m = attribute_map(attrs)
        ok = got_uid == uid and m.get("Cryptographic Algorithm") == [enums.CryptographicAlgorithm.AES] \
            and m.get("Cryptographic Length") == [256]
        return ok, {"names": sorted(m.keys())} if ok else {"uid": got_uid, "attributes": m}, m
    steps.run("get_attributes", get_attributes, uid)

    def get_attribute_list():
        names = client.get_attribute_list(uid)
        wanted = {"Cryptographic Algorithm", "Cryptographic Length", "State", "Name"}
        missing = sorted(wanted - set(names))
        return not missing, {"names": sorted(names), "missing": missing}, names
    steps.run("get_attribute_list", get_attribute_list, uid)

    def activate():
        client.activate(uid)
        _, attrs = client.get_attributes(uid, ["State"])
        state = attribute_map(attrs).get("State")
        return state == [enums.State.ACTIVE], {"state": state}, True
    steps.run("activate", activate, uid)

    def locate():
        found = client.locate(attributes=[ATTRS.create_attribute(enums.AttributeType.NAME, key_name)])
        return found == [uid], {"name": key_name, "found": found}, found
    steps.run("locate_by_name", locate, uid)

    registered = []

    def register_and_get(step, managed_object):
        def fn():
            rid = client.register(managed_object)
            registered.append(rid)
            back = client.get(rid)
            same = bytes(back.value) == bytes(managed_object.value)
            return same, {"uid": rid, "object_type": str(back.object_type), "bytes": len(back.value), "identical": same}, rid
        steps.run(step, fn)

    register_and_get("register_secret_data", objects.SecretData(os.urandom(24), enums.SecretDataType.PASSWORD))
    register_and_get("register_opaque_object", objects.OpaqueObject(os.urandom(40), enums.OpaqueDataType.NONE))
    register_and_get("register_symmetric_key",
                     objects.SymmetricKey(enums.CryptographicAlgorithm.AES, 128, bytes(range(16)),
                                          [enums.CryptographicUsageMask.ENCRYPT]))

    new_name = "interop-renamed-" + tag

    def modify():
        if v2:
            old = ATTRS.value_factory.create_attribute_value(enums.AttributeType.NAME, key_name)
            new = ATTRS.value_factory.create_attribute_value(enums.AttributeType.NAME, new_name)
            client.modify_attribute(uid, current_attribute=cobjects.CurrentAttribute(attribute=old),
                                    new_attribute=cobjects.NewAttribute(attribute=new))
        else:
            client.modify_attribute(uid, attribute=ATTRS.create_attribute(enums.AttributeType.NAME, new_name, 0))
        _, attrs = client.get_attributes(uid, ["Name"])
        names = [str(getattr(n, "name_value", n)) for n in attribute_map(attrs).get("Name", [])]
        return new_name in names, {"names": names}, True
    steps.run("modify_attribute_name", modify, uid)

    def delete():
        if v2:
            cur = ATTRS.value_factory.create_attribute_value(enums.AttributeType.NAME, new_name)
            client.delete_attribute(uid, current_attribute=cobjects.CurrentAttribute(attribute=cur))
        else:
            client.delete_attribute(uid, attribute_name="Name", attribute_index=0)
        _, attrs = client.get_attributes(uid, ["Name"])
        left = attribute_map(attrs).get("Name", [])
        return not left, {"names_left": [str(x) for x in left]}, True
    steps.run("delete_attribute_name", delete, uid)

    def revoke():
        client.revoke(enums.RevocationReasonCode.CESSATION_OF_OPERATION, uid)
        _, attrs = client.get_attributes(uid, ["State"])
        state = attribute_map(attrs).get("State")
        return state == [enums.State.DEACTIVATED], {"state": state}, True
    steps.run("revoke", revoke, uid)

    def destroy():
        client.destroy(uid)
        return True, {"uid": uid}, True
    destroyed = steps.run("destroy", destroy, uid)

    def get_after_destroy():
        try:
            client.get(uid)
        except pie_exceptions.KmipOperationFailure as e:
            # 1.x has only Item Not Found; 2.x names the case Object Destroyed (2.1 BL-M-8)
            wanted = [enums.ResultReason.ITEM_NOT_FOUND]
            if v2:
                wanted.append(enums.ResultReason.OBJECT_DESTROYED)
            return e.reason in wanted, {"reason": str(e.reason)}, True
        return False, "Get of a destroyed object succeeded", None
    steps.run("get_after_destroy_item_not_found", get_after_destroy, destroyed)

    def cleanup():
        failed = {}
        for rid in registered:
            try:
                client.destroy(rid)
            except Exception as e:  # noqa: BLE001
                failed[rid] = describe_error(e)
        return not failed, {"destroyed": [r for r in registered if r not in failed], "failed": failed}, True
    steps.run("cleanup_registered", cleanup)


def main(sequence=None):
    """Connects with PyKMIP's client and runs `sequence` (default: this file's run_sequence)."""
    sequence = sequence or run_sequence
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=5696)
    p.add_argument("--cert", required=True)
    p.add_argument("--key", required=True)
    p.add_argument("--ca", required=True)
    p.add_argument("--version", choices=sorted(VERSIONS), default="1.4")
    p.add_argument("--ssl-version", default="PROTOCOL_TLS",
                   help="ssl module constant for PyKMIP's wrap_socket (default PROTOCOL_TLS)")
    p.add_argument("--debug", action="store_true", help="PyKMIP's own log on stderr")
    args = p.parse_args()
    if args.debug:
        logging.basicConfig(stream=sys.stderr, level=logging.DEBUG)
    else:
        logging.disable(logging.CRITICAL)  # e.g. the "config file not found" warning: none is needed

    steps = Steps()
    client = pie_client.ProxyKmipClient(hostname=args.host, port=args.port, cert=args.cert, key=args.key,
                                        ca=args.ca, ssl_version=args.ssl_version,
                                        kmip_version=VERSIONS[args.version])
    try:
        client.open()
    except Exception as e:  # noqa: BLE001
        steps.report("connect", False, describe_error(e))
        return 2
    steps.report("connect", True, {"host": args.host, "port": args.port, "kmip_version": args.version,
                                   "ssl_version": args.ssl_version})
    try:
        sequence(client, args.version, steps)
    finally:
        try:
            client.close()
        except Exception:  # noqa: BLE001
            pass
    return 0 if steps.all_ok else 1


if __name__ == "__main__":
    sys.exit(main())
