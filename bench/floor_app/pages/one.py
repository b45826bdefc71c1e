"""One component in a fragment: a range input whose release reruns the fragment, and the number
Python computes from it (data-testid stMetricValue, as bench_app reads the trivial page's)."""
import streamlit as st

JS = """
export default function ({ data, parentElement, setStateValue }) {
  let box = parentElement.querySelector('.one');
  if (!box) {
    box = document.createElement('div'); box.className = 'one';
    box.innerHTML = '<input type="range" min="0" max="100" step="1" aria-label="x">' +
      '<div data-testid="stMetric"><span data-testid="stMetricValue"></span></div>';
    parentElement.appendChild(box);
    const input = box.querySelector('input');
    input.value = data.value;
    input.addEventListener('change', () => setStateValue('value', Number(input.value)));
  }
  box.querySelector('span').textContent = String(data.shown);
}
"""
one = st.components.v2.component("bench_one", js=JS, isolate_styles=False)
st.title("情景模拟")


@st.fragment
def body() -> None:
    state = st.session_state.get("one") or {}
    v = state.get("value", 50) if hasattr(state, "get") else 50
    one(key="one", data={"value": 50, "shown": v * 2}, on_value_change=lambda: None, default={"value": 50})


body()
