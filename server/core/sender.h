/*
 * sender: delivers one-time codes to citizens. Pluggable by configuration
 * (--otp-sender / PB_OTP_SENDER):
 *   file:PATH      append "contact<TAB>message" lines to PATH (development, tests)
 *   command:PATH   run PATH with the contact and the message as its two arguments
 *                  (an SMS gateway's or mail system's client); exit 0 means sent
 * Blocking: call from a worker thread only.
 */
#ifndef PB_SENDER_H
#define PB_SENDER_H

/* Sends message to contact as spec (the --otp-sender value) says; 0 when sent. */
int sender_send(const char *spec, const char *contact, const char *message);

#endif
