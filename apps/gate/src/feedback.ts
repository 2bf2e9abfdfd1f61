/**
 * Sound and vibration for a decision (claim: "sound and vibration"), so the gate person need not
 * look at the screen for every ticket: one high beep for a pass, three low ones for a stop.
 * WebAudio needs one user gesture before it may play, so the context is resumed on the first tap.
 */
let audio: AudioContext | undefined;

export function unlockAudio() {
  try {
    audio ??= new AudioContext();
    if (audio.state === 'suspended') void audio.resume();
  } catch {
    // No audio on this device: the screen and the vibration still tell.
  }
}

function beep(context: AudioContext, startS: number, hz: number, lengthS: number) {
  const oscillator = context.createOscillator();
  const gain = context.createGain();
  oscillator.type = 'square';
  oscillator.frequency.value = hz;
  gain.gain.setValueAtTime(0.25, startS);
  gain.gain.exponentialRampToValueAtTime(0.001, startS + lengthS);
  oscillator.connect(gain).connect(context.destination);
  oscillator.start(startS);
  oscillator.stop(startS + lengthS);
}

export function signal(admitted: boolean) {
  try {
    if (audio && audio.state === 'running') {
      const now = audio.currentTime;
      if (admitted) beep(audio, now, 1_320, 0.15);
      else for (let i = 0; i < 3; i++) beep(audio, now + i * 0.18, 220, 0.14);
    }
  } catch {
    // Best effort, like the vibration below.
  }
  navigator.vibrate?.(admitted ? 80 : [200, 80, 200, 80, 200]);
}
