#!/usr/bin/python3
"""Interop check, part 2: key pairs, certificates and cryptographic operations through PyKMIP.

Same command line and output as pykmip_client.py (one JSON line per step; exit 0 only if every
step passed). Sequence: Create Key Pair RSA-2048 and Get both halves (the public key must match
the private one); Register an X.509 certificate and Get it back identical; AES-256 CBC and GCM
(with AAD and tag) Encrypt/Decrypt round trips; RSA-OAEP Encrypt with the public key, Decrypt
with the private one; RSA-PSS Sign and Signature Verify (a tampered message must be Invalid);
HMAC-SHA256 MAC checked against the key fetched with Get; Locate by a custom attribute.

PyKMIP's high-level client cannot send Authenticated Encryption Additional Data nor return the
tag, so the GCM step builds the Encrypt/Decrypt batch items itself with PyKMIP's own payload
classes and sends them through its proxy.
"""
import datetime
import hashlib
import hmac
import os
import sys
import uuid
import warnings

warnings.filterwarnings("ignore")

from cryptography import x509  # noqa: E402  (PyKMIP depends on python3-cryptography)
from cryptography.hazmat.primitives import hashes, serialization  # noqa: E402
from cryptography.hazmat.primitives.asymmetric import ec  # noqa: E402
from cryptography.x509.oid import NameOID  # noqa: E402
from kmip import enums  # noqa: E402
from kmip.core import objects as cobjects  # noqa: E402
from kmip.core.messages import contents, messages, payloads  # noqa: E402
from kmip.pie import objects  # noqa: E402

import pykmip_client as base  # noqa: E402  (same folder: Steps, connection handling)

U = enums.CryptographicUsageMask


def self_signed_certificate():
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, u"kmipd interop " + uuid.uuid4().hex[:8])])
    now = datetime.datetime.utcnow()
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now)
            .not_valid_after(now + datetime.timedelta(days=30)).sign(key, hashes.SHA256()))
    return cert.public_bytes(serialization.Encoding.DER)


def send_one(client, operation, payload):
    """One batch item through PyKMIP's proxy; returns the response batch item."""
    proxy = client.proxy
    item = messages.RequestBatchItem(operation=contents.Operation(operation), request_payload=payload)
    request = proxy._build_request_message(None, [item])
    response = proxy._send_and_receive_message(request)
    return response.batch_items[0]


def run_crypto(client, version, steps):
    tag = uuid.uuid4().hex[:12]
    created = []

    def key_pair():
        pub, priv = client.create_key_pair(enums.CryptographicAlgorithm.RSA, 2048,
                                           public_usage_mask=[U.ENCRYPT, U.VERIFY],
                                           private_usage_mask=[U.DECRYPT, U.SIGN])
        created.extend([pub, priv])
        return True, {"public": pub, "private": priv}, (pub, priv)
    pair = steps.run("create_key_pair_rsa2048", key_pair)

    def get_halves():
        pub_obj, priv_obj = client.get(pair[0]), client.get(pair[1])
        # cryptography reads PKCS#1 as well as SubjectPublicKeyInfo / PKCS#8 DER
        public = serialization.load_der_public_key(bytes(pub_obj.value))
        private = serialization.load_der_private_key(bytes(priv_obj.value), password=None)
        same = private.public_key().public_numbers() == public.public_numbers()
        return same and public.key_size == 2048, {"public_format": str(pub_obj.key_format_type),
                                                  "private_format": str(priv_obj.key_format_type),
                                                  "bits": public.key_size, "halves_match": same}, True
    steps.run("get_both_halves", get_halves, pair)

    def activate_pair():
        client.activate(pair[0])
        client.activate(pair[1])
        return True, {}, True
    pair_active = steps.run("activate_pair", activate_pair, pair)

    def certificate():
        der = self_signed_certificate()
        cid = client.register(objects.X509Certificate(der))
        created.append(cid)
        back = client.get(cid)
        same = bytes(back.value) == der
        return same, {"uid": cid, "identical": same, "bytes": len(der)}, cid
    steps.run("register_and_get_certificate", certificate)

    def aes_key():
        kid = client.create(enums.CryptographicAlgorithm.AES, 256, cryptographic_usage_mask=[U.ENCRYPT, U.DECRYPT])
        created.append(kid)
        client.activate(kid)
        return True, {"uid": kid}, kid
    aes = steps.run("create_aes_for_crypto", aes_key)

    plaintext = b"kmipd interop plaintext, not a multiple of the block size"

    def cbc():
        params = {"cryptographic_algorithm": enums.CryptographicAlgorithm.AES,
                  "block_cipher_mode": enums.BlockCipherMode.CBC,
                  "padding_method": enums.PaddingMethod.PKCS5, "random_iv": True}
        ct, iv = client.encrypt(plaintext, uid=aes, cryptographic_parameters=params)
        pt = client.decrypt(ct, uid=aes, cryptographic_parameters=params, iv_counter_nonce=iv)
        ok = pt == plaintext and ct != plaintext and iv is not None and len(iv) == 16
        return ok, {"ciphertext_bytes": len(ct), "iv_bytes": len(iv or b""), "round_trip": pt == plaintext}, True
    steps.run("aes_cbc_round_trip", cbc, aes)

    def gcm():
        params = cobjects.CryptographicParameters(block_cipher_mode=enums.BlockCipherMode.GCM,
                                                  cryptographic_algorithm=enums.CryptographicAlgorithm.AES,
                                                  tag_length=16)
        iv = os.urandom(12)
        aad = b"header " + tag.encode()
        enc = send_one(client, enums.Operation.ENCRYPT, payloads.EncryptRequestPayload(
            unique_identifier=aes, cryptographic_parameters=params, data=plaintext,
            iv_counter_nonce=iv, auth_additional_data=aad))
        if enc.result_status.value != enums.ResultStatus.SUCCESS:
            return False, {"encrypt": str(enc.result_reason), "message": str(enc.result_message)}, None
        ct, auth = enc.response_payload.data, enc.response_payload.auth_tag
        dec = send_one(client, enums.Operation.DECRYPT, payloads.DecryptRequestPayload(
            unique_identifier=aes, cryptographic_parameters=params, data=ct, iv_counter_nonce=iv,
            auth_additional_data=aad, auth_tag=auth))
        ok_round = dec.result_status.value == enums.ResultStatus.SUCCESS and dec.response_payload.data == plaintext
        bad = send_one(client, enums.Operation.DECRYPT, payloads.DecryptRequestPayload(
            unique_identifier=aes, cryptographic_parameters=params, data=ct, iv_counter_nonce=iv,
            auth_additional_data=aad + b"!", auth_tag=auth))
        refused = bad.result_status.value == enums.ResultStatus.OPERATION_FAILED
        return ok_round and refused and auth is not None and len(auth) == 16, {
            "tag_bytes": len(auth or b""), "round_trip": ok_round, "wrong_aad_refused": refused,
            "reason": str(bad.result_reason.value) if bad.result_reason else None}, True
    if version in ("1.2",):
        # KMIP 1.2 has no Authenticated Encryption Tag/Additional Data fields (1.4 added them):
        # kmipd must refuse GCM there rather than answer with a field 1.2 lacks
        def gcm_refused():
            try:
                client.encrypt(plaintext, uid=aes, cryptographic_parameters={
                    "cryptographic_algorithm": enums.CryptographicAlgorithm.AES,
                    "block_cipher_mode": enums.BlockCipherMode.GCM})
            except Exception as e:  # noqa: BLE001
                return base.reason_of(e) == enums.ResultReason.FEATURE_NOT_SUPPORTED, {"reason": str(base.reason_of(e))}, True
            return False, "GCM answered in KMIP 1.2", None
        steps.run("aes_gcm_refused_before_1_4", gcm_refused, aes)
    else:
        steps.run("aes_gcm_round_trip_with_aad", gcm, aes)

    def rsa_oaep():
        params = {"cryptographic_algorithm": enums.CryptographicAlgorithm.RSA,
                  "padding_method": enums.PaddingMethod.OAEP, "hashing_algorithm": enums.HashingAlgorithm.SHA_256}
        ct, _ = client.encrypt(plaintext, uid=pair[0], cryptographic_parameters=params)
        pt = client.decrypt(ct, uid=pair[1], cryptographic_parameters=params)
        return pt == plaintext and len(ct) == 256, {"ciphertext_bytes": len(ct), "round_trip": pt == plaintext}, True
    steps.run("rsa_oaep_round_trip", rsa_oaep, pair_active)

    def sign_verify():
        params = {"cryptographic_algorithm": enums.CryptographicAlgorithm.RSA,
                  "padding_method": enums.PaddingMethod.PSS, "hashing_algorithm": enums.HashingAlgorithm.SHA_256}
        sig = client.sign(plaintext, uid=pair[1], cryptographic_parameters=params)
        good = client.signature_verify(plaintext, sig, uid=pair[0], cryptographic_parameters=params)
        bad = client.signature_verify(plaintext + b"!", sig, uid=pair[0], cryptographic_parameters=params)
        ok = good == enums.ValidityIndicator.VALID and bad == enums.ValidityIndicator.INVALID
        return ok, {"signature_bytes": len(sig), "valid": str(good), "tampered": str(bad)}, True
    steps.run("rsa_pss_sign_verify", sign_verify, pair_active)

    def mac():
        kid = client.create(enums.CryptographicAlgorithm.HMAC_SHA256, 256, cryptographic_usage_mask=[U.MAC_GENERATE])
        created.append(kid)
        client.activate(kid)
        _, value = client.mac(plaintext, uid=kid, algorithm=enums.CryptographicAlgorithm.HMAC_SHA256)
        key = bytes(client.get(kid).value)
        expected = hmac.new(key, plaintext, hashlib.sha256).digest()
        return value == expected, {"mac_bytes": len(value), "matches_local_hmac": value == expected}, True
    steps.run("hmac_sha256_mac", mac)

    def locate_custom():
        marker = "interop-" + tag
        tpl = cobjects.TemplateAttribute(attributes=[
            base.ATTRS.create_attribute(enums.AttributeType.CRYPTOGRAPHIC_ALGORITHM, enums.CryptographicAlgorithm.AES),
            base.ATTRS.create_attribute(enums.AttributeType.CRYPTOGRAPHIC_LENGTH, 128),
            base.ATTRS.create_attribute("x-interop-marker", marker)])
        res = client.proxy.create(enums.ObjectType.SYMMETRIC_KEY, tpl)
        if res.result_status.value != enums.ResultStatus.SUCCESS:
            return False, {"create": str(res.result_reason), "message": str(res.result_message)}, None
        kid = res.uuid
        created.append(kid)
        found = client.locate(attributes=[base.ATTRS.create_attribute("x-interop-marker", marker)])
        return found == [kid], {"uid": kid, "found": found}, True
    if version != "2.0":  # PyKMIP 0.10 cannot express a custom attribute in 2.0 form
        steps.run("locate_by_custom_attribute", locate_custom)

    def cleanup():
        failed = {}
        for oid in created:
            try:
                client.revoke(enums.RevocationReasonCode.CESSATION_OF_OPERATION, oid)
            except Exception:  # noqa: BLE001 - objects never activated cannot be revoked
                pass
            try:
                client.destroy(oid)
            except Exception as e:  # noqa: BLE001
                failed[oid] = base.describe_error(e)
        return not failed, {"failed": failed}, True
    steps.run("cleanup", cleanup)


if __name__ == "__main__":
    sys.exit(base.main(run_crypto))
