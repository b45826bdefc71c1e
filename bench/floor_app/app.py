"""A reference page for bench/bench_app.py: the floor of a page built as this app's scenario page
is, one component in a fragment, inside a multipage app with a sidebar of the same kinds of
widgets (language, preset, two switches, a button, a year). Its number is the component's own.
What it measures: what Streamlit itself costs for a release in such an app, whatever the page does."""
import streamlit as st

st.set_page_config(layout="wide")
with st.sidebar:
    st.radio("语言", ["中文", "English"], key="lang", horizontal=True)
    st.selectbox("地区预设", ["示例县", "邯郸市", "鹤壁市"], key="preset")
    st.toggle("投影模式", key="projector")
    st.toggle("演示视图", key="present")
    st.button("查看使用引导")
    st.selectbox("目标年份", [2025, 2026], key="year")
pages = [st.Page("pages/one.py", title="情景模拟", default=True)]
pages += [st.Page(f"pages/other.py", title=name, url_path=f"p{i}") for i, name in
          enumerate(["预算优化", "目标达成", "不确定性", "全市", "情景对比", "数据", "方法", "批量评分"])]
st.navigation(pages).run()
