/**
 * The header credentials the OASIS test cases present, as `[[tenancy.credentials]]` of the
 * development client's account ("default"): TC_111 (users Fred and Barney), TC_112 (devices
 * devID2233 and devID4444, each with its password) and TC-CREG-2 (one-time-user). With these the
 * cases' requests authenticate, and the "default" operation policy keeps Fred's and devID2233's
 * keys from the other credential. Hashes made with `kmipd credential hash`; the passwords are the
 * ones printed in the public test-case files.
 */
export const CONFORMANCE_CREDENTIALS = [
  // password1
  { type: "password", account: "default", username: "Fred", password_hash: "scrypt$16384$8$1$hJxTRzQbaSoZ8VVVvT4Qkw==$yoHl+0JSQulqlzyC7JeraBMnDXEBXMhrLVGaXI49y4U=" },
  // secret2
  { type: "password", account: "default", username: "Barney", password_hash: "scrypt$16384$8$1$2PySEIthEtdUK7GY2RZ1Wg==$Hwfn0MNLDsxykSB+Rs78d4TSX8KhCgY4v0UoEpQuH94=" },
  // one-time-password
  { type: "password", account: "default", username: "one-time-user", password_hash: "scrypt$16384$8$1$zPxn+zaOX8FkUVf5eDuOCw==$qPybzVTKo1wmzCj7oUz6VMECIGJGt7yeHloYa5vd+vk=" },
  // secret
  {
    type: "device", account: "default", serial_number: "serNum123456", device_identifier: "devID2233", network_identifier: "netID9000",
    machine_identifier: "machineID1", media_identifier: "mediaID313", password_hash: "scrypt$16384$8$1$hNRgTsmhnIdr9DVP+9a4Xw==$uKapuxMQzld/LAjgDPz7RGIhp4UTsr9zcRse37PGNvA=",
  },
  // passwd
  {
    type: "device", account: "default", serial_number: "serNum101010", device_identifier: "devID4444",
    password_hash: "scrypt$16384$8$1$mtV/e7eeUuQvM1ltjbumuQ==$GhGRNtgypR3cDM1iwFrtr2K6j6yo649Uog3nS2K3q2Y=",
  },
];
