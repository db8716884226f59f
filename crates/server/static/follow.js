// runcoach follow-along: turns the session's list of movements into one
// movement at a time — set counter, countdowns for holds, rest timers,
// "next up" — and keeps the screen awake where the browser allows. The
// page works without this file: a plain list and the log form.
(() => {
  'use strict';
  const list = document.getElementById('moves');
  const player = document.getElementById('player');
  const finish = document.getElementById('finish');
  const form = document.getElementById('finish-form');
  if (!list || !player || !finish || !form) return;
  const moves = [...list.querySelectorAll('.move')];
  if (moves.length === 0) return;
  const switchS = Number(list.dataset.switch) || 5;

  // The session as a queue of steps: work (reps or a hold) and rest.
  const steps = [];
  moves.forEach((li, m) => {
    const d = li.dataset;
    const sets = Number(d.sets) || 1;
    const reps = Number(d.reps) || 0;
    const hold = Number(d.hold) || 0;
    const perSide = d.side === '1';
    const rest = Number(d.rest) || 30;
    for (let set = 1; set <= sets; set++) {
      if (hold > 0 && perSide) {
        steps.push({ type: 'hold', m, set, sets, secs: hold, side: 'left side' });
        steps.push({ type: 'rest', m, secs: switchS, label: 'Switch sides' });
        steps.push({ type: 'hold', m, set, sets, secs: hold, side: 'right side' });
      } else if (hold > 0) {
        steps.push({ type: 'hold', m, set, sets, secs: hold, side: '' });
      } else {
        steps.push({ type: 'reps', m, set, sets, reps, side: perSide ? 'each side' : '' });
      }
      const lastSet = set === sets;
      if (!(lastSet && m === moves.length - 1)) {
        steps.push({ type: 'rest', m: lastSet ? m + 1 : m, secs: rest, label: 'Rest' });
      }
    }
  });

  const el = (tag, attrs = {}, text = '') => {
    const e = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
    if (text) e.textContent = text;
    return e;
  };
  const where = el('p', { class: 'where' });
  const now = el('p', { class: 'now', 'aria-live': 'polite' });
  const clock = el('p', { class: 'clock', role: 'timer', 'aria-label': 'Time left' });
  const act = el('button', { type: 'button', class: 'button wide', id: 'follow-act' });
  const skip = el('button', { type: 'button', class: 'button ghost wide', id: 'follow-skip' });
  const next = el('p', { class: 'next muted' });
  player.append(where, now, clock, act, skip, next);
  player.hidden = false;
  list.classList.add('following');
  finish.hidden = true;
  moves.forEach((li) => { li.hidden = true; });

  let i = -1;
  let started = 0;
  let deadline = 0;
  let ticker = null;
  let onAct = null;
  let onSkip = null;
  let lock = null;

  const awake = () => {
    if (!('wakeLock' in navigator) || document.visibilityState !== 'visible') return;
    navigator.wakeLock.request('screen').then((l) => { lock = l; }).catch(() => {});
  };
  document.addEventListener('visibilitychange', () => {
    if (i >= 0 && i < steps.length && (lock === null || lock.released)) awake();
  });

  const mmss = (s) => `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
  const stop = () => {
    if (ticker !== null) clearInterval(ticker);
    ticker = null;
  };
  const countdown = (secs, done) => {
    stop();
    deadline = Date.now() + secs * 1000;
    clock.hidden = false;
    clock.textContent = mmss(secs);
    ticker = setInterval(() => {
      const left = Math.max(0, Math.ceil((deadline - Date.now()) / 1000));
      clock.textContent = mmss(left);
      if (left <= 0) {
        stop();
        if (navigator.vibrate) navigator.vibrate(200);
        done();
      }
    }, 200);
  };
  const button = (b, label, handler) => {
    b.hidden = !label;
    b.textContent = label || '';
    return handler;
  };
  const nameOf = (m) => moves[m].dataset.name;
  // The player sits under the current movement's figure: what to look at
  // and what to press stay on one screen.
  const show = (m) => {
    moves.forEach((li, k) => { li.hidden = k !== m; });
    const fig = moves[m].querySelector('figure');
    if (fig && fig.nextElementSibling !== player) fig.after(player);
  };
  const upNext = (from) => {
    const n = steps.slice(from + 1).find((s) => s.type !== 'rest');
    if (!n) return 'Next up: log the session';
    return `Next up: ${nameOf(n.m)}, set ${n.set} of ${n.sets}${n.side ? `, ${n.side}` : ''}`;
  };

  const go = (k) => {
    stop();
    i = k;
    if (i >= steps.length) return done();
    const s = steps[i];
    show(s.m);
    next.textContent = upNext(i);
    clock.hidden = true;
    where.textContent = `Movement ${s.m + 1} of ${moves.length}`;
    if (s.type === 'rest') {
      now.textContent = `${s.label}: ${s.secs} s${s.m !== steps[i - 1]?.m ? ` — get ready for ${nameOf(s.m)}` : ''}`;
      onAct = button(act, 'Skip rest', () => go(i + 1));
      onSkip = button(skip, '', null);
      countdown(s.secs, () => go(i + 1));
    } else if (s.type === 'hold') {
      where.textContent += ` · Set ${s.set} of ${s.sets}`;
      now.textContent = `Hold ${s.secs} s${s.side ? `, ${s.side}` : ''}`;
      clock.hidden = false;
      clock.textContent = mmss(s.secs);
      onAct = button(act, `Start the ${s.secs} s hold`, () => {
        onAct = button(act, 'End the hold now', () => go(i + 1));
        countdown(s.secs, () => go(i + 1));
      });
      onSkip = button(skip, 'Skip this set', () => go(i + 1));
    } else {
      where.textContent += ` · Set ${s.set} of ${s.sets}`;
      now.textContent = `${s.reps} reps${s.side ? ` ${s.side}` : ''}`;
      onAct = button(act, `Done: set ${s.set} of ${s.sets}`, () => go(i + 1));
      onSkip = button(skip, '', null);
    }
  };

  const done = () => {
    stop();
    if (lock) lock.release().catch(() => {});
    moves.forEach((li) => { li.hidden = false; });
    list.classList.remove('following');
    player.hidden = true;
    finish.hidden = false;
    const minutes = form.querySelector('input[name="minutes"]');
    if (minutes && !minutes.value) {
      minutes.value = String(Math.max(1, Math.round((Date.now() - started) / 60000)));
    }
    const h = document.getElementById('finish-h');
    h.textContent = 'All done: log it';
    h.focus();
  };

  act.addEventListener('click', () => onAct && onAct());
  skip.addEventListener('click', () => onSkip && onSkip());

  // Ready screen: nothing runs until the athlete starts.
  where.textContent = `${moves.length} movements, ${steps.filter((s) => s.type !== 'rest').length} sets`;
  now.textContent = `First up: ${nameOf(0)}`;
  clock.hidden = true;
  show(0);
  next.textContent = '';
  onAct = button(act, 'Start the session', () => {
    started = Date.now();
    awake();
    go(0);
  });
  onSkip = button(skip, '', null);
})();
